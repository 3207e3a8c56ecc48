// `pinevm run` and `pinevm disasm` on the output calls: the CSV header holds
// one column per value and per varying colour, colours print as #RRGGBBAA
// (na as NaN), and alerts reach --log as "alert" records. Expected rows are
// worked out by hand from the bars below (green is #4CAF50FF, red #F23645FF,
// color.new(green, 50) has alpha round(127.5) = 128 = 0x80).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli_test_support.h"

using namespace cli_test;

namespace {

constexpr const char* kBars = "time,open,high,low,close\n"
                              "1700000000000,10,12,9,11\n"
                              "1700000060000,11,11.5,10,10.5\n";

constexpr const char* kScript = "//@version=6\nindicator(\"o\")\n"
                                "p1 = plot(close, \"c\", color = close > open ? color.green : color.red)\n"
                                "p2 = plot(open, color = color.new(color.green, 50))\n"
                                "fill(p1, p2, close > open ? color.green : na)\n"
                                "plotcandle(open, high, low, close, \"k\")\n"
                                "bgcolor(color.red)\n"
                                "alertcondition(close > open, \"Up\", \"went up\")\n";

} // namespace

TEST_CASE("cli outputs: columns, colours and alerts") {
  TempDir s;
  const std::string script = s.write("o.pine", kScript), data = s.write("bars.csv", kBars);
  const Result csv = pinevm({"run", script, "--data", data, "--log", s.write("log.jsonl", "")});
  INFO("stderr: " << csv.err);
  CHECK(csv.code == 0);
  CHECK(csv.out == "time,bar_index,c,c:color,plot,fill,k:open,k:high,k:low,k:close,bgcolor\n"
                   "1700000000000,0,11,#4CAF50FF,10,#4CAF50FF,10,12,9,11,#F23645FF\n"
                   "1700000060000,1,10.5,#F23645FF,11,NaN,11,11.5,10,10.5,#F23645FF\n");
  std::ifstream log(s.path() / "log.jsonl");
  std::stringstream logged;
  logged << log.rdbuf();
  CHECK(logged.str() == "{\"time\":1700000000000,\"bar_index\":0,\"level\":\"alert\",\"message\":\"went up\"}\n");

  const Result jsonl = pinevm({"run", script, "--data", data, "--format", "jsonl"});
  CHECK(jsonl.out.starts_with("{\"time\":1700000000000,\"bar_index\":0,\"c\":11,\"c:color\":\"#4CAF50FF\",\"plot\":10,"));
  CHECK(jsonl.err == "ALERT: went up\n");

  // disasm lists the columns with the constant arguments.
  const Result dis = pinevm({"disasm", script});
  CHECK(dis.out.find("output 2: plot \"\" value float color=#4CAF5080\n"
                     "output 3: fill \"\" value color targets=0,2\n") != std::string::npos);
}
