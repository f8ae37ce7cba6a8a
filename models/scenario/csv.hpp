#pragma once
/// The one CSV reader of scsim's inputs (targets, the state jail data, a run's
/// flows.csv read back by `scsim graph`): line by line under the limits of
/// models/limits.hpp, with errors as ScenarioError "FILE:LINE:COL: COLUMN:
/// message" naming the column by its header name.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/error.hpp"

namespace scsim::csv {

struct Field {
  std::string text;
  int column = 1;  // 1-based byte column where the field's text starts
};

struct SplitOptions {
  bool quotes = true;  // RFC 4180 quoting ("a, b"; "" for a quote) within one line; else a quote is text
  bool trim = true;    // spaces around a field are layout, not content
};

class Reader {
 public:
  /// `text` must outlive the reader; `columns` names the columns in messages
  /// (a field past the last is named by the last).
  Reader(std::string_view text, std::string file, std::span<const std::string_view> columns);

  /// The next line without its end (LF or CR LF) and, on line 1, a UTF-8 BOM;
  /// false at the end of the text. A line longer than the limit is an error.
  bool next(std::string_view& line);
  /// The 1-based number of the line `next` returned last.
  int line() const { return line_; }
  /// True when no line follows the one `next` returned last.
  bool at_end() const { return pos_ >= text_.size(); }

  /// The fields of `line` (one line of this reader); more than the limit is an error.
  std::vector<Field> split(std::string_view line, SplitOptions options = {}) const;

  /// Throws ScenarioError at the current line, `column`, naming column `index`.
  [[noreturn]] void fail(int column, std::size_t index, const std::string& message,
                         ScenarioError::Kind kind = ScenarioError::Kind::value) const;
  const std::string& file() const { return file_; }
  std::string_view column_name(std::size_t index) const;

 private:
  std::string_view text_;
  std::string file_;
  std::span<const std::string_view> columns_;
  std::size_t pos_ = 0;
  int line_ = 0;
};

/// One data row of a table read by read_table.
struct Row {
  int line = 0;               // 1-based line in the file
  std::vector<Field> fields;  // exactly one per column
};

/// The data rows of a CSV table whose header must be exactly `columns`: a
/// missing, renamed or extra header column, a row with too few or too many
/// fields, a blank line before the last, and (without `options.quotes`) a
/// quote character are errors naming the file, line, column and the column's
/// header name; so is a text without a header line. `file` names the text in
/// messages.
std::vector<Row> read_table(std::string_view text, const std::string& file, std::span<const std::string_view> columns,
                            SplitOptions options = {});

/// A CSV file's text: at most `max_bytes`, UTF-8 without control characters
/// (parse::read_file, parse::check_text); `what` names it in messages.
std::string read_file(const std::string& path, std::size_t max_bytes, const std::string& key, std::string_view what);

}  // namespace scsim::csv
