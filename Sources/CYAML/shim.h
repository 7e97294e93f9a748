#ifndef OOMWATCH_CYAML_SHIM_H
#define OOMWATCH_CYAML_SHIM_H
// libyaml's event parser (Debian libyaml-dev). Linked statically from libyaml.a (see Package.swift), so
// the daemon needs no libyaml at run time.
#include <yaml.h>
#endif
