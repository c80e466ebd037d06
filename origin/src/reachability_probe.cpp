#include "shoal/origin/reachability_probe.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace shoal::origin {

namespace net = boost::asio;
using tcp = net::ip::tcp;

ReachabilityProbe::ReachabilityProbe(net::io_context& io, Tracker& tracker, std::chrono::milliseconds timeout,
                                     std::size_t max_in_flight)
    : io_(io), tracker_(tracker), timeout_(timeout), max_in_flight_(max_in_flight) {
  tracker_.set_probe([this, alive = alive_](const std::string& peer_id, const std::string& host, std::uint32_t port) {
    // The tracker calls from inside an announce; the dial starts from the io loop.
    net::post(io_, [this, alive, peer_id, host, port] {
      if (*alive) probe(peer_id, host, port);
    });
  });
}

ReachabilityProbe::~ReachabilityProbe() {
  *alive_ = false;
  tracker_.set_probe({});
}

void ReachabilityProbe::probe(const std::string& peer_id, const std::string& host, std::uint32_t port) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec || port == 0 || port > 65535 || in_flight_ >= max_in_flight_) return;
  ++in_flight_;
  auto socket = std::make_shared<tcp::socket>(io_);
  auto timer = std::make_shared<net::steady_timer>(io_, timeout_);
  timer->async_wait([socket](const boost::system::error_code& timer_ec) {
    if (!timer_ec) {
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  socket->async_connect(tcp::endpoint(address, static_cast<std::uint16_t>(port)),
                        [this, alive = alive_, socket, timer, peer_id, host, port](const boost::system::error_code& e) {
                          timer->cancel();
                          boost::system::error_code ignored;
                          socket->close(ignored);
                          if (!*alive) return;
                          --in_flight_;
                          tracker_.mark_connectable(peer_id, host, port, !e, Tracker::Clock::now());
                        });
}

}  // namespace shoal::origin
