// `pinevm run --syminfo FILE.json`: a flat JSON object of SymbolInfo fields.
//
//   {"description": "Apple Inc.", "currency": "USD", "type": "stock",
//    "pricescale": 100, "minmove": 1, "pointvalue": 1, "timezone": "UTC-5",
//    "session": "regular", "country": "US", "sector": null}
//
// Fields are SymbolInfo's (vm/include/pine/vm/symbol_info.h); omitted fields
// keep their defaults. Text fields take strings (country, sector and
// industry also null, Pine's na); pricescale and minmove take integers;
// pointvalue and mincontract take numbers. mintick is derived (minmove /
// pricescale) and ticker/prefix/tickerid come from --symbol, so those keys
// are errors that say so. The parser is a small self-contained one: the file
// is tiny, and its errors name the line, column and field.
#pragma once

#include <string_view>

#include "pine/vm/symbol_info.h"

namespace pine::cli {

/// Parses the text of a --syminfo file over the defaults (a leading UTF-8
/// BOM is skipped). Throws
/// std::invalid_argument with a message naming the position or the field.
SymbolInfo parse_syminfo_json(std::string_view text);

} // namespace pine::cli
