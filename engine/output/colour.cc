#include "engine/output/colour.h"

#include <unistd.h>

#include <cstdlib>

namespace pgpair {

bool UseColour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  return isatty(fd) == 1;
}

std::string Paint(const std::string& text, Colour colour, bool enabled) {
  if (!enabled) return text;
  const char* code = "";
  switch (colour) {
    case Colour::kRed:
      code = "31";
      break;
    case Colour::kGreen:
      code = "32";
      break;
    case Colour::kYellow:
      code = "33";
      break;
    case Colour::kBold:
      code = "1";
      break;
  }
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

}  // namespace pgpair
