// curve_socket.cpp -- see curve_socket.hpp.
#include "transport/curve_socket.hpp"

namespace fastqueue {

namespace {

// ZMQ_ZAP_ENFORCE_DOMAIN (zmq.h, draft API since libzmq 4.2.3).
constexpr int kZapEnforceDomainOption = 93;

}  // namespace

CurveClientOptions read_curve_client_options(const std::string& secret_key_file,
                                             const std::string& server_key_file) {
    return {read_curve_secret_key(secret_key_file), read_curve_public_key(server_key_file)};
}

void make_curve_server(zmq::socket_t& socket, const CurveServerOptions& options) {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, options.keys.secret_key);
    socket.set(zmq::sockopt::zap_domain, options.zap_domain);
    // Refuse, rather than admit, a connection no ZAP handler answers for.
    // The option is a draft in libzmq's headers; a libzmq without it accepts
    // only when no handler is bound, and the control plane binds its
    // handler before any port and stops it after the last one closes.
    const int is_enforced = 1;
    (void)zmq_setsockopt(socket.handle(), kZapEnforceDomainOption, &is_enforced,
                         sizeof is_enforced);
}

void make_curve_client(zmq::socket_t& socket, const CurveClientOptions& options) {
    socket.set(zmq::sockopt::curve_serverkey, options.server_public_key);
    socket.set(zmq::sockopt::curve_publickey, options.keys.public_key);
    socket.set(zmq::sockopt::curve_secretkey, options.keys.secret_key);
}

}  // namespace fastqueue
