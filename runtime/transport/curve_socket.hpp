// curve_socket.hpp -- turning CURVE on for one socket, as every FastQueue
// socket does it, and the ZAP domains the server ports announce.
//
// A CURVE server socket names a ZAP domain, and ZeroMQ asks the ZAP handler
// (transport/zap_handler.hpp) about every connection with that domain; with
// ZMQ_ZAP_ENFORCE_DOMAIN set (where libzmq has it), a connection is refused when no handler
// answers, so a server whose handler is not running admits nobody.
// All options are set before bind or connect, where ZeroMQ reads them.
#pragma once

#include <string>
#include <zmq.hpp>

#include "transport/curve_certificate.hpp"

namespace fastqueue {

// ZAP domain of the ports clients use (base+0..4) and of the discovery
// publisher: client and subworker keys are admitted.
inline constexpr const char* kClientZapDomain = "fastqueue-clients";
// ZAP domain of the subworker management port: subworker keys only.
inline constexpr const char* kSubworkerZapDomain = "fastqueue-subworkers";
// ZAP domain of a subworker's own task ports: its control plane's key only.
inline constexpr const char* kTaskPortZapDomain = "fastqueue-task-ports";

// What a CURVE server socket needs: its own key pair and its ZAP domain.
struct CurveServerOptions {
    CurveKeyPair keys;
    std::string zap_domain;
};

// What a CURVE client socket needs: its own key pair and the server's
// public key.
struct CurveClientOptions {
    CurveKeyPair keys;
    std::string server_public_key;
};

// The options of a CURVE client from its own .key_secret file and the
// server's public .key file. Throws CurveCertificateError naming a file.
CurveClientOptions read_curve_client_options(const std::string& secret_key_file,
                                             const std::string& server_key_file);

// Makes `socket` a CURVE server with options.keys, asking the ZAP handler
// about each peer under options.zap_domain. Call before bind.
void make_curve_server(zmq::socket_t& socket, const CurveServerOptions& options);

// Makes `socket` a CURVE client of the server whose public key is given.
// Call before connect.
void make_curve_client(zmq::socket_t& socket, const CurveClientOptions& options);

}  // namespace fastqueue
