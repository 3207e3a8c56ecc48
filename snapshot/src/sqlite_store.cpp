// The SQLite snapshot store: every snapshot of every key in one table of one
// database file.
//
//   CREATE TABLE snapshots (key TEXT NOT NULL, bar_index INTEGER NOT NULL,
//                           seq INTEGER NOT NULL, bytes BLOB NOT NULL,
//                           PRIMARY KEY (key, bar_index))
//
// seq numbers the saves of a key (1, 2, 3...; a replaced bar gets a new one):
// it shows in locators, so a log says which save produced a snapshot.
// PRAGMA user_version is the schema version (kSchemaVersion); a database with
// a newer one is refused rather than misread.
//
// Durability: the journal is WAL and synchronous=FULL, so COMMIT returns only
// after the WAL is fsynced; each save (insert + retention) is one transaction,
// so a crash leaves either the whole save or none of it. Transactions start
// with BEGIN IMMEDIATE, taking the write lock up front, so two processes
// sharing the file wait for each other through the busy timeout instead of
// failing on a read-to-write lock upgrade.
//
// A connection must not be carried across fork(): open the store in the
// process that uses it.
#include "pine/snapshot/store.h"

#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace pine {

namespace {

namespace fs = std::filesystem;
using Kind = SnapshotError::Kind;

/// PRAGMA user_version of the schema this file creates. Bump it when the
/// table changes, and teach open() to upgrade older files.
constexpr int kSchemaVersion = 1;

/// How long a statement waits for another connection's lock before failing
/// with "database is locked". A save holds the write lock for one blob write
/// and one fsync (milliseconds to a second for a large snapshot on a slow
/// disk); 10 s lets several server processes share one file under load while
/// still turning a stuck peer into an error instead of a hang.
constexpr int kBusyTimeoutMs = 10'000;

/// Closes a connection (sqlite3_close_v2 also copes with statements a bug
/// left unfinalized).
struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

/// "sqlite store '<file>': <what>: <sqlite message>" as an Io error.
SnapshotError sqlite_error(const fs::path& file, const std::string& what, const std::string& detail) {
  return SnapshotError(Kind::Io, "sqlite store '" + file.string() + "': " + what + ": " + detail);
}

/// sqlite_error() with the connection's current error message and code.
SnapshotError sqlite_error(const fs::path& file, const std::string& what, sqlite3* db) {
  return sqlite_error(file, what,
                      std::string(sqlite3_errmsg(db)) + " (code " + std::to_string(sqlite3_extended_errcode(db)) + ")");
}

/// One prepared statement, finalized on destruction. Prepared once at open
/// (SQLITE_PREPARE_PERSISTENT) and reused by every call.
class Statement {
public:
  Statement(sqlite3* db, const fs::path& file, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      throw sqlite_error(file, std::string("cannot prepare \"") + sql + "\"", db);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }

private:
  sqlite3_stmt* stmt_ = nullptr;
};

/// One use of a Statement: resets it and clears its bindings when the use
/// ends, however it ends, so the next use starts clean and no read
/// transaction is left open by an unfinished SELECT.
class StatementUse {
public:
  explicit StatementUse(const Statement& statement) : stmt_(statement.get()) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  sqlite3_stmt* get() const { return stmt_; }

private:
  sqlite3_stmt* stmt_;
};

/// Binds `text` to parameter `index` without copying (the caller keeps it
/// alive until the step).
int bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

/// Binds `bytes` as a BLOB. An empty span may have a null data pointer, which
/// sqlite3_bind_blob would store as NULL, so it is bound as a zero-length blob.
int bind_blob(sqlite3_stmt* stmt, int index, std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return sqlite3_bind_zeroblob(stmt, index, 0);
  return sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

/// Copies a BLOB column (NULL pointer for a zero-length blob is fine).
std::vector<std::uint8_t> column_bytes(sqlite3_stmt* stmt, int column) {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, column));
  const int size = sqlite3_column_bytes(stmt, column);
  if (data == nullptr || size <= 0) return {};
  return std::vector<std::uint8_t>(data, data + size);
}

/// The SQLite store. Statements are shared, so every public method holds
/// mutex_ for its whole run.
class SqliteStore final : public SnapshotStore {
public:
  SqliteStore(fs::path file, std::size_t keep)
      : file_(std::move(file)), keep_(keep), db_(open_connection(file_)),
        insert_(db_.get(), file_,
                "INSERT OR REPLACE INTO snapshots (key, bar_index, seq, bytes) VALUES "
                "(?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM snapshots WHERE key = ?1), ?3)"),
        trim_(db_.get(), file_,
              "DELETE FROM snapshots WHERE key = ?1 AND bar_index NOT IN "
              "(SELECT bar_index FROM snapshots WHERE key = ?1 ORDER BY bar_index DESC LIMIT ?2)"),
        newest_(db_.get(), file_, "SELECT bytes FROM snapshots WHERE key = ?1 ORDER BY bar_index DESC LIMIT 1"),
        list_(db_.get(), file_,
              "SELECT bar_index, seq, length(bytes) FROM snapshots WHERE key = ?1 ORDER BY bar_index DESC"),
        read_(db_.get(), file_, "SELECT bytes FROM snapshots WHERE key = ?1 AND bar_index = ?2"),
        remove_(db_.get(), file_, "DELETE FROM snapshots WHERE key = ?1") {}

  // Insert and retention in one IMMEDIATE transaction; COMMIT with
  // synchronous=FULL is the durability point.
  void save(std::string_view key, std::int64_t bar_index, std::span<const std::uint8_t> bytes) override {
    validate_key(key);
    if (bar_index < 0) {
      throw std::invalid_argument("snapshot store bar_index " + std::to_string(bar_index) + " is negative");
    }
    const std::lock_guard lock(mutex_);
    const std::string what =
        "cannot save snapshot of key '" + std::string(key) + "' at bar " + std::to_string(bar_index);
    Transaction transaction(*this, what);
    {
      const StatementUse use(insert_);
      if (bind_text(use.get(), 1, key) != SQLITE_OK || sqlite3_bind_int64(use.get(), 2, bar_index) != SQLITE_OK ||
          bind_blob(use.get(), 3, bytes) != SQLITE_OK) {
        throw sqlite_error(file_, what, db_.get());
      }
      if (sqlite3_step(use.get()) != SQLITE_DONE) throw sqlite_error(file_, what, db_.get());
    }
    if (keep_ > 0) {
      const StatementUse use(trim_);
      if (bind_text(use.get(), 1, key) != SQLITE_OK ||
          sqlite3_bind_int64(use.get(), 2, static_cast<sqlite3_int64>(keep_)) != SQLITE_OK) {
        throw sqlite_error(file_, what, db_.get());
      }
      if (sqlite3_step(use.get()) != SQLITE_DONE) throw sqlite_error(file_, what + " (retention)", db_.get());
    }
    transaction.commit();
  }

  // One SELECT ... ORDER BY bar_index DESC LIMIT 1 (a consistent read of
  // the last committed state, even while another process writes).
  std::optional<std::vector<std::uint8_t>> load(std::string_view key) override {
    validate_key(key);
    const std::lock_guard lock(mutex_);
    const std::string what = "cannot load the newest snapshot of key '" + std::string(key) + "'";
    const StatementUse use(newest_);
    if (bind_text(use.get(), 1, key) != SQLITE_OK) throw sqlite_error(file_, what, db_.get());
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) throw sqlite_error(file_, what, db_.get());
    return column_bytes(use.get(), 0);
  }

  // Sizes come from length(bytes), which SQLite answers from the record
  // header without reading the blob.
  std::vector<SnapshotEntry> list(std::string_view key) override {
    validate_key(key);
    const std::lock_guard lock(mutex_);
    const std::string what = "cannot list the snapshots of key '" + std::string(key) + "'";
    const StatementUse use(list_);
    if (bind_text(use.get(), 1, key) != SQLITE_OK) throw sqlite_error(file_, what, db_.get());
    std::vector<SnapshotEntry> entries;
    for (;;) {
      const int rc = sqlite3_step(use.get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) throw sqlite_error(file_, what, db_.get());
      const sqlite3_int64 seq = sqlite3_column_int64(use.get(), 1);
      entries.push_back(SnapshotEntry{std::string(key), sqlite3_column_int64(use.get(), 0),
                                      static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 2)),
                                      file_.string() + "#" + std::to_string(seq)});
    }
    return entries;
  }

  // Looks the entry up by (key, bar_index): the row the entry describes, or
  // its replacement if that bar was saved again since.
  std::vector<std::uint8_t> read(const SnapshotEntry& entry) override {
    validate_key(entry.key);
    const std::lock_guard lock(mutex_);
    const std::string what =
        "cannot read the snapshot of key '" + entry.key + "' at bar " + std::to_string(entry.bar_index);
    const StatementUse use(read_);
    if (bind_text(use.get(), 1, entry.key) != SQLITE_OK ||
        sqlite3_bind_int64(use.get(), 2, entry.bar_index) != SQLITE_OK) {
      throw sqlite_error(file_, what, db_.get());
    }
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) throw sqlite_error(file_, what, "it is no longer stored (deleted by retention?)");
    if (rc != SQLITE_ROW) throw sqlite_error(file_, what, db_.get());
    return column_bytes(use.get(), 0);
  }

  // One DELETE in an IMMEDIATE transaction; its COMMIT (synchronous=FULL)
  // makes the removal durable.
  void remove(std::string_view key) override {
    validate_key(key);
    const std::lock_guard lock(mutex_);
    const std::string what = "cannot delete the snapshots of key '" + std::string(key) + "'";
    Transaction transaction(*this, what);
    {
      const StatementUse use(remove_);
      if (bind_text(use.get(), 1, key) != SQLITE_OK) throw sqlite_error(file_, what, db_.get());
      if (sqlite3_step(use.get()) != SQLITE_DONE) throw sqlite_error(file_, what, db_.get());
    }
    transaction.commit();
  }

  // Interface accessors (store.h).
  std::size_t keep() const override { return keep_; }

  std::string describe() const override { return "sqlite store " + file_.string(); }

private:
  /// A write transaction: BEGIN IMMEDIATE on construction, ROLLBACK on
  /// destruction unless commit() succeeded.
  class Transaction {
  public:
    Transaction(SqliteStore& store, const std::string& what) : store_(store), what_(what) {
      store_.exec("BEGIN IMMEDIATE", what_);
    }
    ~Transaction() {
      if (!committed_) sqlite3_exec(store_.db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// COMMIT; throws (and the destructor rolls back) if it fails.
    void commit() {
      store_.exec("COMMIT", what_);
      committed_ = true;
    }

  private:
    SqliteStore& store_;
    std::string what_;
    bool committed_ = false;
  };

  /// Runs `sql` (no result rows wanted); throws naming `what` on failure.
  void exec(const char* sql, const std::string& what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw sqlite_error(file_, what + " (" + sql + ")", db_.get());
    }
  }

  /// The single integer a PRAGMA query returns.
  static sqlite3_int64 pragma_int(sqlite3* db, const fs::path& file, const char* sql) {
    const Statement statement(db, file, sql);
    if (sqlite3_step(statement.get()) != SQLITE_ROW) throw sqlite_error(file, std::string("cannot run ") + sql, db);
    return sqlite3_column_int64(statement.get(), 0);
  }

  /// Runs `sql` on `db` outside of any store object, for open_connection.
  static void exec_on(sqlite3* db, const fs::path& file, const char* sql, const std::string& what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw sqlite_error(file, what, db);
  }

  /// Opens the database, sets WAL + synchronous=FULL + the busy timeout and
  /// creates (or checks) the schema.
  static Connection open_connection(const fs::path& file) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    Connection db(raw);  // sqlite3_open_v2 may return a handle even on failure; it must be closed
    if (rc != SQLITE_OK) {
      throw sqlite_error(file, "cannot open database", raw ? std::string(sqlite3_errmsg(raw)) : sqlite3_errstr(rc));
    }
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);

    // WAL: readers never block the writer and a commit appends to one file.
    // The mode is stored in the database file; it fails (returns the old
    // mode) on file systems without shared memory, e.g. some network mounts.
    {
      const Statement statement(db.get(), file, "PRAGMA journal_mode=WAL");
      if (sqlite3_step(statement.get()) != SQLITE_ROW) {
        throw sqlite_error(file, "cannot switch to WAL journal mode", db.get());
      }
      const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0));
      if (mode == nullptr || std::string_view(mode) != "wal") {
        throw sqlite_error(file, "cannot switch to WAL journal mode",
                           std::string("the database stays in '") + (mode ? mode : "?") +
                               "' mode (is it on a network file system?)");
      }
    }
    // FULL, not WAL's usual NORMAL: NORMAL fsyncs only at checkpoints, so a
    // committed save survives a process crash but may be lost on power loss,
    // and save()'s contract is that a returned save survives both. FULL
    // fsyncs the WAL at every commit.
    exec_on(db.get(), file, "PRAGMA synchronous=FULL", "cannot set synchronous=FULL");

    // Schema: created once, under the write lock so two processes opening a
    // new file at the same time do not both create it.
    exec_on(db.get(), file, "BEGIN IMMEDIATE", "cannot lock the database to check its schema");
    try {
      const sqlite3_int64 version = pragma_int(db.get(), file, "PRAGMA user_version");
      if (version > kSchemaVersion) {
        throw sqlite_error(file, "unsupported database",
                           "schema version " + std::to_string(version) + " is newer than this build's " +
                               std::to_string(kSchemaVersion) + ": upgrade pinevm");
      }
      if (version < kSchemaVersion) {
        exec_on(db.get(), file,
                "CREATE TABLE IF NOT EXISTS snapshots (key TEXT NOT NULL, bar_index INTEGER NOT NULL, "
                "seq INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (key, bar_index))",
                "cannot create the snapshots table");
        exec_on(db.get(), file, ("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str(),
                "cannot set the schema version");
      }
      exec_on(db.get(), file, "COMMIT", "cannot commit the schema");
    } catch (...) {
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    return db;
  }

  fs::path file_;
  std::size_t keep_;
  std::mutex mutex_;
  // Declared after db_ so they are finalized before it closes.
  Connection db_;
  Statement insert_;
  Statement trim_;
  Statement newest_;
  Statement list_;
  Statement read_;
  Statement remove_;
};

} // namespace

// The path is made absolute so locators and messages stay meaningful if the
// process changes directory.
std::unique_ptr<SnapshotStore> open_sqlite_store(fs::path file, std::size_t keep) {
  if (file.empty()) throw std::invalid_argument("snapshot store database path is empty");
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  if (ec) throw SnapshotError(Kind::Io, "cannot resolve sqlite store path '" + file.string() + "': " + ec.message());
  return std::make_unique<SqliteStore>(absolute.lexically_normal(), keep);
}

} // namespace pine
