// How an IP address is written wherever Shoal passes one on (tracker entries, peer exchange, neighbor
// keys): an IPv4 client of a dual-stack socket appears as ::ffff:a.b.c.d, and the same peer must not
// have two names.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>

namespace shoal::protocol {

inline std::string address_text(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

/// Whether a written address (as address_text gives it) is a loopback one: limits per address exempt it,
/// since tests and a proxy on the origin's own machine all come from there.
inline bool is_loopback_text(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace shoal::protocol
