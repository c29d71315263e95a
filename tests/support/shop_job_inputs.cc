#include "tests/support/shop_job_inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace zload::test::shop {
namespace {

// Small domains, so that joins match often and groups collide. Product names hold CSV
// delimiters, quotes, the empty text, case variants and non-ASCII text.
constexpr const char* kProductNames[] = {"tv", "radio", "lamp, desk", "say \"hi\"",
                                         "",   "Tv",    "caf\xc3\xa9"};
constexpr const char* kGhostProduct = "ghost";  // named by line items, never a product
constexpr const char* kCustomers[] = {"ann", "bob", "cy", "d,\"q\""};
constexpr int64_t kBasketIds = 5;  // basket ids 1..kBasketIds, or NULL

template <typename T, size_t N>
const T& PickOne(Rng& rng, const T (&v)[N]) {
  return v[static_cast<size_t>(Uniform(rng, 0, static_cast<int64_t>(N) - 1))];
}

// A basket id never drawn for a good row, so that deleting it always deletes a missing row.
constexpr int64_t kMissingBasket = 99;
constexpr const char* kMissingProduct = "nobody";

void Count(InputFile& file, Change change) {
  if (change.bad) {
    ++file.bad;
  } else {
    ++(change.is_delete ? file.deletes : file.inserts);
  }
  file.changes.push_back(std::move(change));
}

// One field of a CSV record: NULL is the empty unquoted field; text is quoted when it must be
// (and sometimes when it need not be).
std::string CsvField(Rng& rng, const Value& v) {
  if (v.is_null()) return "";
  if (v.type() == Type::kReal) return fmt::format("{}", v.as_real());
  if (v.type() != Type::kText) return v.ToString();
  const std::string& s = v.as_text();
  bool must = s.empty() || s.find_first_of(",\"\r\n") != std::string::npos;
  if (!must && !Chance(rng, 0.2)) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The op column's text for an insert or a delete, in one of its accepted spellings.
std::string OpText(Rng& rng, bool is_delete) {
  constexpr const char* inserts[] = {"+", "insert", ""};
  constexpr const char* deletes[] = {"-", "delete"};
  return is_delete ? PickOne(rng, deletes) : PickOne(rng, inserts);
}

// A CSV file of `changes` (values in `columns` order, then the op), with the header's columns
// in a random order and random line endings.
std::string WriteCsv(Rng& rng, std::vector<std::string> columns,
                     const std::vector<Change>& changes) {
  columns.push_back("op");
  std::vector<size_t> order(columns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  const std::string eol = Chance(rng, 0.3) ? "\r\n" : "\n";
  std::string text;
  for (size_t i = 0; i < order.size(); ++i) text += (i ? "," : "") + columns[order[i]];
  for (const Change& change : changes) {
    text += eol;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i) text += ',';
      size_t c = order[i];
      text += c < change.row.size() ? CsvField(rng, change.row[c]) : OpText(rng, change.is_delete);
    }
  }
  if (changes.empty() || Chance(rng, 0.7)) text += eol;
  return text;
}

Value RandomPrice(Rng& rng) {
  if (Chance(rng, 0.15)) return Value::Real(static_cast<double>(Uniform(rng, 1, 99)));
  return Value::Real(static_cast<double>(Uniform(rng, 1, 9999)) / 100.0);
}

Value RandomBasket(Rng& rng, double null_rate) {
  return Chance(rng, null_rate) ? Value() : Value::Integer(Uniform(rng, 1, kBasketIds));
}

// products: inserts of a random name (replacing the row holding that name, if any) and
// deletes of a present name, whose price column is the stored price or any other. `model` is
// the table as the file's rows change it.
InputFile ProductsFile(Rng& rng, std::map<std::string, double>& model, int rows, int bad_at,
                       double bad_rate) {
  InputFile out;
  for (int i = 0; i < rows; ++i) {
    if (i == bad_at || Chance(rng, bad_rate)) {
      switch (i == bad_at ? 0 : Uniform(rng, 0, 2)) {
        case 0:  // a delete of a key that is not loaded
          Count(out, {{Value::Text(kMissingProduct), RandomPrice(rng)}, true, true});
          break;
        case 1:  // a price that is not a number
          Count(out,
                {{Value::Text(PickOne(rng, kProductNames)), Value::Text("12,5x")}, false, true});
          break;
        default:  // NULL in the key (and NOT NULL) column
          Count(out, {{Value(), RandomPrice(rng)}, false, true});
      }
    } else if (!model.empty() && Chance(rng, 0.15)) {
      auto it = model.begin();
      std::advance(it, Uniform(rng, 0, static_cast<int64_t>(model.size()) - 1));
      Value price = Chance(rng, 0.5) ? Value::Real(it->second) : RandomPrice(rng);
      Count(out, {{Value::Text(it->first), price}, true});
      model.erase(it);
    } else {
      const std::string& name = PickOne(rng, kProductNames);
      Value price = RandomPrice(rng);
      model[name] = price.as_real();
      Count(out, {{Value::Text(name), price}, false});
    }
  }
  out.text = WriteCsv(rng, {"name", "price"}, out.changes);
  return out;
}

// Takes one random row out of `model` (REQUIRES: not empty).
Row TakeRandom(Rng& rng, std::vector<Row>& model) {
  size_t i = static_cast<size_t>(Uniform(rng, 0, static_cast<int64_t>(model.size()) - 1));
  Row row = std::move(model[i]);
  model[i] = std::move(model.back());
  model.pop_back();
  return row;
}

// line_items: inserts of random rows and deletes of rows present at that point.
InputFile LineItemsFile(Rng& rng, std::vector<Row>& model, int rows, int bad_at, double bad_rate) {
  InputFile out;
  for (int i = 0; i < rows; ++i) {
    if (i == bad_at || Chance(rng, bad_rate)) {
      if (i == bad_at || Chance(rng, 0.5)) {  // a delete of a row that is not loaded
        Count(out,
              {{Value::Integer(kMissingBasket), Value::Text("tv"), Value::Integer(1)}, true, true});
      } else {  // a quantity that is not an INTEGER
        Count(out, {{RandomBasket(rng, 0), Value::Text("tv"), Value::Text("x1")}, false, true});
      }
    } else if (!model.empty() && Chance(rng, 0.25)) {
      Count(out, {TakeRandom(rng, model), true});
    } else {
      Value product = Chance(rng, 0.08)   ? Value()
                      : Chance(rng, 0.08) ? Value::Text(kGhostProduct)
                                          : Value::Text(PickOne(rng, kProductNames));
      Value qty = Chance(rng, 0.1) ? Value() : Value::Integer(Uniform(rng, 0, 4));
      Row row = {RandomBasket(rng, 0.12), product, qty};
      model.push_back(row);
      Count(out, {row, false});
    }
  }
  out.text = WriteCsv(rng, {"basket_id", "product_name", "qty"}, out.changes);
  return out;
}

// baskets (JSON Lines): inserts of random rows and deletes of rows present at that point. NULL
// is written as null or by leaving the member out; members come in a random order.
InputFile BasketsFile(Rng& rng, std::vector<Row>& model, int rows, int bad_at, double bad_rate) {
  InputFile out;
  for (int i = 0; i < rows; ++i) {
    if (i == bad_at || Chance(rng, bad_rate)) {
      if (i == bad_at || Chance(rng, 0.5)) {  // a delete of a row that is not loaded
        Count(out, {{Value::Integer(kMissingBasket), Value::Text("ann")}, true, true});
      } else {  // a basket id that is a JSON string, not an integer
        Count(out, {{Value::Text("3"), Value::Text("ann")}, false, true});
      }
    } else if (!model.empty() && Chance(rng, 0.2)) {
      Count(out, {TakeRandom(rng, model), true});
    } else {
      Value customer = Chance(rng, 0.1) ? Value() : Value::Text(PickOne(rng, kCustomers));
      Row row = {RandomBasket(rng, 0.15), customer};
      model.push_back(row);
      Count(out, {row, false});
    }
    const Change& change = out.changes.back();
    std::vector<std::string> members;
    auto member = [&](const std::string& key, const Value& v) {
      if (v.is_null()) {
        if (Chance(rng, 0.5)) members.push_back(JsonString(key) + ": null");
        return;
      }
      members.push_back(JsonString(key) + ": " +
                        (v.type() == Type::kText ? JsonString(v.as_text()) : v.ToString()));
    };
    member("basket_id", change.row[0]);
    member("customer", change.row[1]);
    if (change.is_delete || !Chance(rng, 0.3)) {
      members.push_back("\"op\": " + JsonString(OpText(rng, change.is_delete)));
    }
    std::shuffle(members.begin(), members.end(), rng);
    out.text += "{" + fmt::format("{}", fmt::join(members, ", ")) + "}\n";
  }
  return out;
}

}  // namespace

int64_t Uniform(Rng& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

bool Chance(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

InputFile NewFile(Rng& rng, const Model& model, Source source, int max_rows, BadRows bad,
                  std::set<std::string>& seen) {
  for (;;) {
    int rows = static_cast<int>(Uniform(rng, 0, max_rows));
    int at = -1;
    if (bad.one_bad_delete) {
      rows = std::max(rows, 1);
      at = static_cast<int>(Uniform(rng, 0, rows - 1));
    }
    Model scratch = model;
    InputFile file = source == kProducts ? ProductsFile(rng, scratch.products, rows, at, bad.rate)
                     : source == kLineItems
                         ? LineItemsFile(rng, scratch.line_items, rows, at, bad.rate)
                         : BasketsFile(rng, scratch.baskets, rows, at, bad.rate);
    if (seen.insert(file.text).second) return file;
  }
}

void Model::Apply(Source source, const std::vector<Change>& changes, size_t count) {
  std::vector<Row>& rows = source == kLineItems ? line_items : baskets;
  for (size_t i = 0; i < count; ++i) {
    const Change& c = changes[i];
    if (c.bad) continue;
    if (source == kProducts) {
      if (c.is_delete) {
        products.erase(c.row[0].as_text());
      } else {
        products[c.row[0].as_text()] = c.row[1].as_real();
      }
    } else if (c.is_delete) {
      rows.erase(std::find(rows.begin(), rows.end(), c.row));
    } else {
      rows.push_back(c.row);
    }
  }
}

ZSet Model::Table(Source source) const {
  ZSet z;
  if (source == kProducts) {
    for (const auto& [name, price] : products) z.Add(Row{Value::Text(name), Value::Real(price)}, 1);
    return z;
  }
  for (const Row& r : source == kLineItems ? line_items : baskets) z.Add(r, 1);
  return z;
}

}  // namespace zload::test::shop
