#include "engine/cli/cli.h"

int main(int argc, char** argv) { return pgpair::RunCli(argc, argv); }
