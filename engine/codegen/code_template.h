// Code templates: the fixed text of generated C files lives in
// engine/codegen/templates/ as data, with {{KEY}} placeholders the generators
// fill. Shared by every generator so that placeholder rules are the same
// everywhere.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace tinyskip::engine {

// The text of template `name` (a path relative to `dir`, e.g.
// "cortex_m4/main.c.in"). Throws CodegenError when it cannot be read.
std::string read_code_template(const std::filesystem::path& dir, const std::string& name);

// `text` with every {{KEY}} replaced by values.at(KEY). A placeholder without
// a value or an unterminated "{{" throws CodegenError naming template_name: a
// template/generator mismatch must not reach the C compiler.
std::string fill_code_template(const std::string& text, const std::map<std::string, std::string>& values,
                               const std::string& template_name);

// True when `name` is a C identifier ([A-Za-z_][A-Za-z0-9_]*): generated
// function, file and macro names are built from it.
bool is_c_identifier(const std::string& name);

}  // namespace tinyskip::engine
