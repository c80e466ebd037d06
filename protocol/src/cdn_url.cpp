#include "shoal/protocol/cdn_url.hpp"

#include <stdexcept>

#include "shoal/protocol/units.hpp"

namespace shoal::protocol {
namespace {

constexpr std::string_view kScheme = "http://";
constexpr std::string_view kForm = " (want http://host:port[/path], e.g. http://cdn.example:8080)";

}  // namespace

CdnUrl parse_cdn_url(std::string_view url) {
  auto bad = [url](const std::string& what) {
    return std::invalid_argument(what + ": '" + std::string(url) + "'" + std::string(kForm));
  };
  // The runtime's HTTP client speaks plain HTTP only; a CDN's TLS edge is for browsers, not for this hop.
  if (url.substr(0, kScheme.size()) != kScheme) throw bad("not an http:// URL");
  auto rest = url.substr(kScheme.size());
  CdnUrl cdn;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    cdn.path_prefix = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
    while (!cdn.path_prefix.empty() && cdn.path_prefix.back() == '/') cdn.path_prefix.pop_back();
  }
  if (cdn.path_prefix.find_first_of("?# ") != std::string::npos) throw bad("no query or fragment allowed");
  if (rest.empty()) throw bad("no host");
  // HOST:PORT as every Shoal address (IPv6 in brackets); the port may be left out: 80.
  const bool has_port = rest.back() != ']' && rest.rfind(':') != std::string_view::npos;
  try {
    const HostPort hp = parse_host_port(has_port ? std::string(rest) : std::string(rest) + ":80");
    cdn.host = hp.host;
    cdn.port = hp.port;
  } catch (const std::invalid_argument&) {
    throw bad("bad host or port");
  }
  if (cdn.port == 0) throw bad("port 0");
  return cdn;
}

}  // namespace shoal::protocol
