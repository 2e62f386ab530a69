// curve_certificate.hpp -- CURVE key pairs and the certificate files that
// hold them, in ZeroMQ's certificate format (ZPL):
//
//   PREFIX.key         public key only; safe to hand to peers
//   PREFIX.key_secret  public and secret key; mode 0600, never shared
//
// Both carry the keys as 40-character Z85 text in a `curve` section:
//
//   metadata
//   curve
//       public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
//       secret-key = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
//
// Reading validates everything: a file that is not such a certificate, a key
// that is not Z85 of 32 bytes, a secret key whose public key is not the one
// written beside it, or a secret file others may read, is refused with an
// error that names the file and the problem.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fastqueue {

// Length of a CURVE key as Z85 text (32 bytes).
inline constexpr std::size_t kCurveKeyZ85Length = 40;

struct CurveKeyPair {
    std::string public_key;  // Z85, kCurveKeyZ85Length characters
    std::string secret_key;  // Z85; empty for a public certificate
};

// A certificate file that cannot be used; what() names the file and why.
class CurveCertificateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A fresh key pair from ZeroMQ (zmq_curve_keypair). Throws
// CurveCertificateError when this libzmq has no CURVE support.
CurveKeyPair generate_curve_key_pair();

// True when text is a CURVE key as Z85: 40 characters that decode to 32 bytes.
bool is_curve_key_text(std::string_view text);

// The keys a certificate's text holds, or std::nullopt with *error saying
// why. With is_secret_expected, both keys must be present and match; without
// it, the public key must be and a secret key is ignored.
std::optional<CurveKeyPair> parse_curve_certificate(std::string_view text, bool is_secret_expected,
                                                    std::string* error);

// The certificate texts written for `keys`: the public one, and the secret
// one (keys.secret_key must be set).
std::string format_public_certificate(const CurveKeyPair& keys);
std::string format_secret_certificate(const CurveKeyPair& keys);

// Writes PREFIX.key (mode 0644) and PREFIX.key_secret (mode 0600), each
// created exclusively: an existing file of either name is never replaced,
// and neither is written then. Throws CurveCertificateError naming the file.
void write_curve_certificates(const std::string& prefix, const CurveKeyPair& keys);

// The public key of a certificate file (a .key, or a .key_secret whose public
// key is taken). Throws CurveCertificateError naming the file.
std::string read_curve_public_key(const std::string& path);

// Both keys of a secret certificate file (a .key_secret). Refuses a file that
// group or others may read (like ssh with its private keys). Throws
// CurveCertificateError naming the file.
CurveKeyPair read_curve_secret_key(const std::string& path);

}  // namespace fastqueue
