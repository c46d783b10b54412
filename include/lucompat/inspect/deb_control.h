// The fields of a Debian binary package's control file (deb-control(5)) that
// say where its kernel is when it holds none itself: a metapackage such as
// linux-image-amd64 names the real one in Depends.
#pragma once

#include <string>
#include <string_view>

namespace lucompat {

struct DebControl {
  std::string package;
  std::string depends;  // as written, continuation lines joined
};

DebControl parse_deb_control(std::string_view text);

// The dependency that holds a kernel (linux-image-*, linux-binary-*), or
// every package Depends names when none does; empty without Depends.
std::string kernel_dependency(const DebControl& control);

}  // namespace lucompat
