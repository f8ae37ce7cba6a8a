#include "models/scenario/csv.hpp"

#include <algorithm>

#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"

namespace scsim::csv {

Reader::Reader(std::string_view text, std::string file, std::span<const std::string_view> columns)
    : text_(text), file_(std::move(file)), columns_(columns) {}

std::string_view Reader::column_name(std::size_t index) const {
  if (columns_.empty()) return {};
  return columns_[std::min(index, columns_.size() - 1)];
}

void Reader::fail(int column, std::size_t index, const std::string& message, ScenarioError::Kind kind) const {
  throw ScenarioError(file_, line_, column, std::string(column_name(index)), message, kind);
}

bool Reader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const std::size_t end = std::min(text_.find('\n', pos_), text_.size());
  line = text_.substr(pos_, end - pos_);
  pos_ = end + 1;
  ++line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 BOM
  if (line.size() > limits::kCsvLineBytes)
    fail(static_cast<int>(limits::kCsvLineBytes) + 1, 0,
         "a line of " + std::to_string(line.size()) + " bytes; the limit is " + std::to_string(limits::kCsvLineBytes) +
             " (models/limits.hpp)",
         ScenarioError::Kind::input);
  return true;
}

std::vector<Field> Reader::split(std::string_view line, SplitOptions options) const {
  using Kind = ScenarioError::Kind;
  std::vector<Field> out;
  std::size_t i = 0;
  for (;;) {
    if (out.size() >= limits::kCsvFields)
      fail(static_cast<int>(i) + 1, out.size(),
           "more than " + std::to_string(limits::kCsvFields) + " fields on one line (models/limits.hpp)", Kind::input);
    Field f;
    f.column = static_cast<int>(i) + 1;
    if (options.quotes && i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) fail(f.column, out.size(), "unterminated quote", Kind::input);
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f.text += line[i++];
      }
      if (i < line.size() && line[i] != ',')
        fail(static_cast<int>(i) + 1, out.size(), "unexpected text after a closing quote", Kind::input);
    } else {
      const std::size_t comma = std::min(line.find(',', i), line.size());
      f.text = std::string(line.substr(i, comma - i));
      i = comma;
    }
    if (options.trim) {
      const auto b = f.text.find_first_not_of(' ');
      const auto e = f.text.find_last_not_of(' ');
      if (b == std::string::npos) {
        f.text.clear();
      } else {
        f.column += static_cast<int>(b);
        f.text = f.text.substr(b, e - b + 1);
      }
    }
    out.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return out;
}

std::vector<Row> read_table(std::string_view text, const std::string& file, std::span<const std::string_view> columns,
                            SplitOptions options) {
  const auto fail = [&](int line, int column, std::string_view key, const std::string& message) {
    throw ScenarioError(file, line, column, std::string(key), message);
  };
  const std::size_t n = columns.size();
  const std::string expected = "expected " + std::to_string(n) + " columns, found ";
  Reader reader(text, file, columns);
  std::vector<Row> rows;
  std::string_view line;
  bool header_seen = false;
  while (reader.next(line)) {
    const int line_no = reader.line();
    auto fields = reader.split(line, options);
    if (!header_seen) {
      for (std::size_t i = 0; i < n; ++i) {
        if (i >= fields.size())
          fail(line_no, static_cast<int>(line.size()) + 1, columns[i],
               "header lacks column '" + std::string(columns[i]) + "'");
        if (fields[i].text != columns[i])
          fail(line_no, fields[i].column, columns[i],
               "header has '" + fields[i].text + "' where '" + std::string(columns[i]) + "' is expected");
      }
      if (fields.size() > n)
        fail(line_no, fields[n].column, "header", "unexpected extra column '" + fields[n].text + "'");
      header_seen = true;
      continue;
    }
    if (line.empty()) {
      // A blank last line is harmless; a blank line with rows after it is not.
      if (reader.at_end()) break;
      fail(line_no, 1, columns[0], "blank line");
    }
    if (fields.size() < n)
      fail(line_no, static_cast<int>(line.size()) + 1, columns[fields.size()],
           expected + std::to_string(fields.size()) + " (missing '" + std::string(columns[fields.size()]) + "')");
    if (fields.size() > n) fail(line_no, fields[n].column, columns.back(), expected + std::to_string(fields.size()));
    if (!options.quotes)
      for (std::size_t i = 0; i < n; ++i)
        if (fields[i].text.find('"') != std::string::npos)
          fail(line_no, fields[i].column, columns[i], "quoted fields are not supported");
    rows.push_back(Row{line_no, std::move(fields)});
  }
  if (!header_seen) fail(1, 1, columns[0], "empty file (expected a header line)");
  return rows;
}

std::string read_file(const std::string& path, std::size_t max_bytes, const std::string& key, std::string_view what) {
  std::string text = parse::read_file(path, path, max_bytes, key, what);
  parse::check_text(text, path, "");
  return text;
}

}  // namespace scsim::csv
