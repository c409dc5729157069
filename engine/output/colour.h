#ifndef PGPAIR_ENGINE_OUTPUT_COLOUR_H_
#define PGPAIR_ENGINE_OUTPUT_COLOUR_H_

#include <string>

namespace pgpair {

// Whether output to file descriptor `fd` is coloured: only on a terminal,
// and never when NO_COLOR is set to a non-empty value (no-color.org).
bool UseColour(int fd);

enum class Colour { kRed, kGreen, kYellow, kBold };

// `text` wrapped in the ANSI sequence of `colour` when `enabled`, else as is.
std::string Paint(const std::string& text, Colour colour, bool enabled);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_OUTPUT_COLOUR_H_
