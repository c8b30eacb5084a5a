#include "engine/codegen/code_template.h"


#include "engine/codegen/codegen_error.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {

std::string read_code_template(const std::filesystem::path& dir, const std::string& name) {
  const std::filesystem::path path = dir / name;
  std::optional<std::string> text = support::read_whole_file(path);
  if (!text) throw CodegenError("cannot read code template " + path.string());
  return *std::move(text);
}

std::string fill_code_template(const std::string& text, const std::map<std::string, std::string>& values,
                               const std::string& template_name) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open);
    if (close == std::string::npos) throw CodegenError("unterminated placeholder in template " + template_name);
    const std::string key = text.substr(open + 2, close - open - 2);
    const auto value = values.find(key);
    if (value == values.end()) throw CodegenError("template " + template_name + " uses unknown placeholder " + key);
    out.append(text, pos, open - pos);
    out += value->second;
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

bool is_c_identifier(const std::string& name) {
  const auto is_start = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; };
  const auto is_part = [&](char ch) { return is_start(ch) || (ch >= '0' && ch <= '9'); };
  bool valid = !name.empty() && is_start(name.front());
  for (char ch : name) valid = valid && is_part(ch);
  return valid;
}

}  // namespace tinyskip::engine
