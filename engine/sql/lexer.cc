#include "engine/sql/lexer.h"

#include <cctype>

#include "engine/sql/sql_error.h"

namespace zload::sql {

bool Token::IsKeyword(const char* keyword) const {
  if (kind != TokenKind::kIdentifier || quoted) return false;
  size_t i = 0;
  for (; keyword[i] != '\0'; ++i) {
    if (i >= text.size() || std::toupper(static_cast<unsigned char>(text[i])) != keyword[i]) {
      return false;
    }
  }
  return i == text.size();
}

std::string ToUpperAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string ToLowerAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

// Walks the text keeping line and column current.
class Lexer {
 public:
  Lexer(const std::string& sql, const std::string& file) : sql_(sql), file_(file) {}

  std::vector<Token> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      Token token;
      token.pos = pos_;
      if (AtEnd()) {
        token.kind = TokenKind::kEnd;
        token.end = pos_.offset;
        tokens.push_back(std::move(token));
        return tokens;
      }
      Scan(token);
      token.end = pos_.offset;
      tokens.push_back(std::move(token));
    }
  }

 private:
  bool AtEnd() const { return pos_.offset >= sql_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_.offset + ahead < sql_.size() ? sql_[pos_.offset + ahead] : '\0';
  }
  void Advance() {
    if (sql_[pos_.offset] == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else {
      ++pos_.column;
    }
    ++pos_.offset;
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      char c = Peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        SourcePos start = pos_;
        Advance();
        Advance();
        while (!(Peek() == '*' && Peek(1) == '/')) {
          if (AtEnd()) ThrowAt(ErrorCode::kParse, "unterminated comment", file_, start);
          Advance();
        }
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  // Reads text quoted by `close`, where a doubled `close` stands for itself.
  std::string Quoted(char close, const char* what) {
    SourcePos start = pos_;
    Advance();  // the opening quote
    std::string text;
    while (true) {
      if (AtEnd()) ThrowAt(ErrorCode::kParse, std::string("unterminated ") + what, file_, start);
      char c = Peek();
      Advance();
      if (c == close) {
        if (Peek() == close && close != ']') {
          text += c;
          Advance();
          continue;
        }
        return text;
      }
      text += c;
    }
  }

  void Number(Token& token) {
    size_t start = pos_.offset;
    bool real = false;
    while (IsDigit(Peek())) Advance();
    if (Peek() == '.') {
      real = true;
      Advance();
      while (IsDigit(Peek())) Advance();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t sign = (Peek(1) == '+' || Peek(1) == '-') ? 1 : 0;
      if (IsDigit(Peek(1 + sign))) {
        real = true;
        Advance();
        if (sign) Advance();
        while (IsDigit(Peek())) Advance();
      }
    }
    if (IsIdentChar(Peek())) {
      ThrowAt(ErrorCode::kParse,
              "unrecognized token: \"" + sql_.substr(start, pos_.offset - start + 1) + "\"", file_,
              token.pos);
    }
    token.kind = real ? TokenKind::kReal : TokenKind::kInteger;
    token.text = sql_.substr(start, pos_.offset - start);
  }

  void Scan(Token& token) {
    char c = Peek();
    if ((c == 'x' || c == 'X') && Peek(1) == '\'') {
      Advance();
      token.kind = TokenKind::kBlob;
      token.text = Quoted('\'', "blob literal");
    } else if (IsIdentStart(c)) {
      size_t start = pos_.offset;
      while (IsIdentChar(Peek())) Advance();
      token.kind = TokenKind::kIdentifier;
      token.text = sql_.substr(start, pos_.offset - start);
    } else if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) {
      Number(token);
    } else if (c == '\'') {
      token.kind = TokenKind::kString;
      token.text = Quoted('\'', "string literal");
    } else if (c == '"' || c == '`' || c == '[') {
      token.kind = TokenKind::kIdentifier;
      token.quoted = true;
      token.text = Quoted(c == '[' ? ']' : c, "quoted identifier");
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
      size_t start = pos_.offset;
      Advance();
      while (IsIdentChar(Peek())) Advance();
      token.kind = TokenKind::kParameter;
      token.text = sql_.substr(start, pos_.offset - start);
    } else {
      Operator(token);
    }
  }

  void Operator(Token& token) {
    static const char* const kTwo[] = {"||", "==", "!=", "<>", "<=", ">=", "<<", ">>", "->"};
    token.kind = TokenKind::kOperator;
    for (const char* op : kTwo) {
      if (Peek() == op[0] && Peek(1) == op[1]) {
        Advance();
        Advance();
        token.text = op;
        if (token.text == "->" && Peek() == '>') {
          Advance();
          token.text = "->>";
        }
        return;
      }
    }
    static const std::string kOne = "(),.;*+-/%=<>&|~";
    if (kOne.find(Peek()) == std::string::npos) {
      ThrowAt(ErrorCode::kParse, std::string("unrecognized token: \"") + Peek() + "\"", file_,
              pos_);
    }
    token.text = std::string(1, Peek());
    Advance();
  }

  const std::string& sql_;
  const std::string& file_;
  SourcePos pos_;
};

}  // namespace

std::vector<Token> Tokenize(const std::string& sql, const std::string& file) {
  return Lexer(sql, file).Run();
}

}  // namespace zload::sql
