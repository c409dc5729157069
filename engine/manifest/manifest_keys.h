#ifndef PGPAIR_ENGINE_MANIFEST_MANIFEST_KEYS_H_
#define PGPAIR_ENGINE_MANIFEST_MANIFEST_KEYS_H_

#include <string>
#include <vector>

namespace pgpair {

// The mappings of a manifest whose keys are fixed. (`hosts` and the maps
// under `settings` take names chosen by the user and are not listed here.)
enum class ManifestBlock {
  kTop,          // the document itself
  kHost,         // hosts.<name>
  kSsh,          // hosts.<name>.ssh
  kPostgres,     // hosts.<name>.postgres
  kReplication,  // replication
  kSecret,       // replication.password
  kArchive,      // archive
  kHba,          // hba
  kSettings,     // settings
};

// Every block, for tests and documentation that walk all of them.
const std::vector<ManifestBlock>& AllManifestBlocks();

// The keys the parser accepts in `block`: any other key is an error. This is
// the single list the parser checks against; a unit test checks that
// schemas/manifest.schema.json lists exactly the same keys.
const std::vector<std::string>& ManifestKeys(ManifestBlock block);

// The keys of `block` that must be present (in a secret, exactly one of env
// and file is needed, so neither is listed).
const std::vector<std::string>& RequiredManifestKeys(ManifestBlock block);

// How messages name the block: "hosts.<name>.ssh", "the top level".
const char* ManifestBlockName(ManifestBlock block);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_MANIFEST_KEYS_H_
