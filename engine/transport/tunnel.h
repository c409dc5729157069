#ifndef PGPAIR_ENGINE_TRANSPORT_TUNNEL_H_
#define PGPAIR_ENGINE_TRANSPORT_TUNNEL_H_

#include <string>

namespace pgpair {

// A port on 127.0.0.1 that leads, through one host's connection, to a host
// and port as that host sees them (like `ssh -L`): the far end sees the
// connection come from that host. Made by Transport::OpenTunnel; it closes
// when destroyed, which must happen before its transport is.
class Tunnel {
 public:
  virtual ~Tunnel() = default;

  // The port on 127.0.0.1 to connect to.
  virtual int local_port() const = 0;
  // "198.18.0.11:5432" ("[::1]:5432" for an IPv6 address).
  virtual const std::string& destination() const = 0;
  // Why the latest local connection was cut short or refused; empty if none was.
  virtual std::string last_error() const = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_TUNNEL_H_
