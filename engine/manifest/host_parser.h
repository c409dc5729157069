#ifndef PGPAIR_ENGINE_MANIFEST_HOST_PARSER_H_
#define PGPAIR_ENGINE_MANIFEST_HOST_PARSER_H_

#include <vector>

#include "engine/manifest/manifest.h"
#include "engine/manifest/manifest_fields.h"
#include "engine/manifest/yaml_reader.h"

namespace pgpair {

// Reads `hosts:` (the entry whose value maps host names to hosts): each
// host's address, ssh, become and postgres, with defaults filled in. Reports
// every problem to context.diags, including a count other than two and two
// hosts that are the same machine. A host with problems is still returned,
// named and marked, so that later checks (primary:, standby:) can find it.
std::vector<HostSpec> ParseHosts(const YamlEntry& hosts, const ParseContext& context);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_MANIFEST_HOST_PARSER_H_
