# Sourced by scripts/demo and scripts/test: installs the Debian 12 packages
# Shoal builds and tests with, when any is missing. Needs root or sudo.
shoal_packages=(
  build-essential cmake pkg-config ccache clang
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav gstreamer1.0-plugins-base-apps libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libboost-dev libcli11-dev libprotobuf-dev protobuf-compiler libgtest-dev libgmock-dev libbenchmark-dev
  libsimgrid-dev libssl-dev libtorrent-rasterbar-dev nginx prometheus gnuplot-nox curl jq time iproute2 iptables pmccabe
)

shoal_install_deps() {
  local missing=()
  for p in "${shoal_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  echo "installing ${#missing[@]} packages: ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
