#ifndef PGPAIR_ENGINE_TRANSPORT_FINGERPRINT_H_
#define PGPAIR_ENGINE_TRANSPORT_FINGERPRINT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgpair {

// SHA-256 of `data`. Small and self-contained so that fingerprints of keys read
// from files can be computed without an SSH session.
std::array<uint8_t, 32> Sha256(std::string_view data);

// Standard base64 (RFC 4648) with or without the trailing '=' padding.
std::string Base64Encode(std::string_view data, bool pad = true);
// Decodes standard base64; padding is optional, whitespace is not allowed.
// Empty when `text` is not base64.
std::optional<std::string> Base64Decode(std::string_view text);

// The fingerprint OpenSSH prints for a public key blob (the wire format, as in
// the base64 part of a known_hosts line): "SHA256:" + unpadded base64.
std::string Sha256Fingerprint(std::string_view key_blob);

// The key type named at the start of a public key blob ("ssh-ed25519",
// "ssh-rsa", "ecdsa-sha2-nistp256", ...). Empty when the blob is malformed.
std::optional<std::string> KeyTypeOfBlob(std::string_view key_blob);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_TRANSPORT_FINGERPRINT_H_
