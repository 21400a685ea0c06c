// The SQLite connection type every store module shares, in a file of its own so that the store and
// the WAL sync it attaches can both name it without importing each other.
import type Database from 'better-sqlite3';

export type Db = Database.Database;
