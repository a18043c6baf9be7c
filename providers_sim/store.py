"""TinyDB-backed storage shared by the vendor simulators.

Every simulator keeps its records in one TinyDB database. Two pieces make TinyDB fit a
server that handles many small reads and writes:

* ``BufferedJSONStorage`` keeps the database in memory and, when it has a path, writes it
  to a JSON file at most once per flush interval. Each write goes to a temporary file
  that replaces the old one atomically, so a crash leaves either the previous or the new
  complete file, never a half-written one.
* ``InPlaceTable`` changes one document per write. TinyDB's stock table copies the whole
  table on every insert, which makes bulk seeding quadratic.

``Collection`` adds what a paged API needs on top of a table: documents ordered by their
integer id, and optional equality indexes on chosen fields.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

logger = logging.getLogger(__name__)

IndexKey = Callable[[Mapping[str, Any]], Iterable[Hashable]]


class DataFileError(ValueError):
    """Raised when a data file cannot be read or is not a TinyDB database of documents."""


class BufferedJSONStorage(Storage):
    """An in-memory TinyDB storage that writes itself to a JSON file in the background."""

    def __init__(self, path: str | None = None, flush_interval: float = 1.0) -> None:
        self.path = path
        self.flush_interval = flush_interval
        self.lock = threading.RLock()
        # Held from serialising to replacing the file, so that an older text never
        # replaces a newer one when the flush thread and ``close`` overlap.
        self._flush_lock = threading.Lock()
        self._memory: dict[str, dict[str, Any]] = {}
        self._dirty = False
        # Counts writes, so that a reader can tell whether anything changed since it looked.
        self.version = 0
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        if path is not None:
            self._memory = _load_json(path)
            if flush_interval > 0:
                self._thread = threading.Thread(
                    target=self._flush_periodically, name="store-flush", daemon=True
                )
                self._thread.start()

    def read(self) -> dict[str, dict[str, Any]]:
        return self._memory

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._memory = data
        self._dirty = True
        self.version += 1

    def flush(self) -> bool:
        """Write the database to its file now if it changed; return whether it wrote.

        Only copying the table dicts happens under the store lock. Stored documents are
        never changed in place (``Collection.update`` replaces them), so the copy is a
        consistent snapshot that can be serialised while requests go on. A write after the
        copy marks the database dirty again for the next flush.
        """
        if self.path is None:
            return False
        with self._flush_lock:
            with self.lock:
                if not self._dirty:
                    return False
                snapshot = {name: dict(table) for name, table in self._memory.items()}
                self._dirty = False
            try:
                _write_atomically(self.path, _json_pieces(snapshot))
            except BaseException:
                self._dirty = True
                raise
        return True

    def close(self) -> None:
        """Stop the flush thread and write any change that it has not written yet."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _flush_periodically(self) -> None:
        while not self._closed.wait(self.flush_interval):
            try:
                self.flush()
            except OSError:
                logger.exception("Failed to write the data file %s; retrying", self.path)


# Documents per ``json.dumps`` call while a data file is written. Between calls other
# threads get the interpreter, so requests keep being served during a long write.
_DOCUMENTS_PER_PIECE = 500


def _json_pieces(tables: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Yield the compact JSON text of ``tables`` in pieces of a few hundred documents."""
    yield "{"
    for table_number, (name, table) in enumerate(tables.items()):
        if table_number:
            yield ","
        yield json.dumps(name) + ":{"
        items = list(table.items())
        for start in range(0, len(items), _DOCUMENTS_PER_PIECE):
            if start:
                yield ","
            yield json.dumps(dict(items[start : start + _DOCUMENTS_PER_PIECE]), separators=(",", ":"))[1:-1]
        yield "}"
    yield "}"


def _load_json(path: str) -> dict[str, dict[str, Any]]:
    """Read a data file; an absent or empty file is an empty database.

    Raises ``DataFileError`` for a file that cannot be read, is not JSON, or is not an
    object of tables, each an object of documents keyed by whole-number ids.
    """
    _remove_stale_temporary_files(path)
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return {}
    decoder = _SharingDecoder()
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle, object_pairs_hook=decoder.build)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"Data file {path!r} is not valid JSON: {exc}") from exc
    except RecursionError:
        raise DataFileError(f"Data file {path!r} nests values too deeply to be a data file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"Data file {path!r} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"Data file {path!r} must contain a JSON object of tables, not {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise DataFileError(f"Table {name!r} in data file {path!r} must be an object of documents by id")
        for key, document in table.items():
            if not (key.isascii() and key.isdigit() and len(key) <= 18) or not isinstance(document, dict):
                raise DataFileError(
                    f"Table {name!r} in data file {path!r} has an invalid entry {key!r}: "
                    "expected a whole-number id and a JSON object"
                )
    decoder.unshare_documents(data)
    return data


# A dict marker in the keys of ``_SharingDecoder``; no JSON value equals it.
_NESTED = object()


class _SharingDecoder:
    """Builds the objects of a data file so that equal small values are stored once.

    Documents repeat many small values: the same names and cities, and the same
    references such as ``{"data": {"type": "account", "id": 20}}``. Sharing them cut the
    memory that loading an Outreach file of 100,000 prospects adds to a process from
    487 MB to 369 MB. Sharing is safe because ``Collection`` never changes a stored value
    in place: updates replace top-level fields and reads return copies.
    ``unshare_documents`` then gives every top-level document its own dict.
    """

    max_text = 40
    max_fields = 6

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._objects: dict[tuple[Any, ...], dict[str, Any]] = {}

    def build(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        """Return the dict of one JSON object, reusing an equal one built before when it is small."""
        built: dict[str, Any] = {}
        key: list[Any] | None = [] if len(pairs) <= self.max_fields else None
        for name, value in pairs:
            kind = type(value)
            if kind is str and len(value) <= self.max_text:
                value = self._strings.setdefault(value, value)
            built[name] = value
            if key is None:
                continue
            if kind is dict:
                key.extend((name, _NESTED, id(value)))
            elif kind is list or (kind is str and len(value) > self.max_text):
                key = None
            else:
                # The type keeps 1, 1.0 and True apart, which compare equal.
                key.extend((name, kind, value))
        if key is None:
            return built
        return self._objects.setdefault(tuple(key), built)

    def unshare_documents(self, tables: dict[str, Any]) -> None:
        """Give every table and every top-level document its own dict, so writes stay local.

        Two tables with equal small contents (the account registries of two vendors, for
        example) would otherwise be one dict, and an insert into one would show in both.
        """
        shared = {id(value) for value in self._objects.values()}
        seen_tables: set[int] = set()
        for name, table in list(tables.items()):
            if not isinstance(table, dict):
                continue
            if id(table) in shared or id(table) in seen_tables:
                table = dict(table)
                tables[name] = table
            seen_tables.add(id(table))
            for key, document in table.items():
                if id(document) in shared:
                    table[key] = dict(document)
        self._strings.clear()
        self._objects.clear()


def _temporary_prefix(path: str) -> str:
    return f".{os.path.basename(path)}.tmp-"


def _remove_stale_temporary_files(path: str) -> None:
    """Delete temporary files that a writer killed in the middle of a write left behind."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temporary_prefix(path)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix):
            logger.warning("Removing %s, left by an interrupted write of %s", name, path)
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                logger.warning("Could not remove %s", name, exc_info=True)


def _write_atomically(path: str, pieces: Iterable[str]) -> None:
    """Write ``pieces`` of text to ``path`` through a temporary file that replaces it when complete."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(prefix=_temporary_prefix(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def copy_document(value: Any) -> Any:
    """Return a deep copy of a JSON-like value (dicts, lists and scalars).

    Faster than ``copy.deepcopy`` or a JSON round trip for the flat documents stored here.
    """
    if type(value) is dict:
        return {key: item if type(item) not in _CONTAINERS else copy_document(item) for key, item in value.items()}
    if type(value) is list:
        return [item if type(item) not in _CONTAINERS else copy_document(item) for item in value]
    return value


_CONTAINERS = (dict, list)


class _IntKeyView(MutableMapping[int, Any]):
    """A view of a raw TinyDB table (string keys) that TinyDB's updaters can use with int ids."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def __getitem__(self, key: int) -> Any:
        return self._raw[str(key)]

    def __setitem__(self, key: int, value: Any) -> None:
        self._raw[str(key)] = value

    def __delitem__(self, key: int) -> None:
        del self._raw[str(key)]

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in list(self._raw))

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return str(key) in self._raw


class InPlaceTable(Table):
    """A TinyDB table whose writes touch only the documents they change."""

    def _update_table(self, updater: Callable[[dict[int, Mapping]], None]) -> None:
        tables = self._storage.read()
        if tables is None:
            tables = {}
        raw = tables.setdefault(self.name, {})
        updater(_IntKeyView(raw))  # type: ignore[arg-type]
        self._storage.write(tables)
        self.clear_cache()


class _Database(TinyDB):
    table_class = InPlaceTable


class Store:
    """One TinyDB database, its lock and the collections opened on it."""

    def __init__(self, path: str | None = None, flush_interval: float = 1.0) -> None:
        self.storage = BufferedJSONStorage(path, flush_interval)
        self.db = _Database(storage=_StorageHandle, handle=self.storage)
        self.lock = self.storage.lock
        self._collections: dict[str, Collection] = {}

    def collection(self, name: str, indexes: Mapping[str, IndexKey] | None = None) -> Collection:
        """Return the collection called ``name``, opening it on first use."""
        with self.lock:
            found = self._collections.get(name)
            if found is None:
                found = Collection(self, name, indexes or {})
                self._collections[name] = found
            return found

    @property
    def version(self) -> int:
        """A number that grows with every write to the database."""
        return self.storage.version

    def table_names(self) -> list[str]:
        with self.lock:
            return sorted(self.storage.read())

    def export_tables(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Return a deep copy of every table whose name starts with ``prefix``."""
        with self.lock:
            tables = self.storage.read()
            chosen = {name: table for name, table in tables.items() if name.startswith(prefix)}
            return json.loads(json.dumps(chosen))

    def import_tables(self, prefix: str, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace every table under ``prefix`` with ``tables`` (names must share the prefix)."""
        for name in tables:
            if not name.startswith(prefix):
                raise ValueError(f"Table {name!r} does not belong under {prefix!r}")
        with self.lock:
            data = self.storage.read()
            for name in [name for name in data if name.startswith(prefix)]:
                del data[name]
            for name, table in tables.items():
                data[name] = {str(key): dict(doc) for key, doc in table.items()}
            self.storage.write(data)
            for name in [name for name in self._collections if name.startswith(prefix)]:
                del self._collections[name]
            self.db.clear_cache()
            self.db._tables.clear()

    def flush(self) -> bool:
        return self.storage.flush()

    def close(self) -> None:
        self.storage.close()


class _StorageHandle(Storage):
    """Adapter that lets TinyDB use an existing storage object."""

    def __init__(self, handle: BufferedJSONStorage) -> None:
        self._handle = handle

    def read(self) -> dict[str, dict[str, Any]]:
        return self._handle.read()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._handle.write(data)

    def close(self) -> None:
        pass


class Collection:
    """A TinyDB table of documents with integer ids, kept in id order, with equality indexes.

    Documents are plain dicts. Reads return copies, so callers can change them freely.
    """

    def __init__(self, store: Store, name: str, indexes: Mapping[str, IndexKey]) -> None:
        self.store = store
        self.name = name
        self.table = store.db.table(name, cache_size=0)
        self._index_keys = dict(indexes)
        self._ids: list[int] = sorted(int(key) for key in self.table._read_table())
        self._indexes: dict[str, dict[Hashable, set[int]]] = {name: {} for name in indexes}
        raw = self.table._read_table()
        for doc_id in self._ids:
            self._add_to_indexes(doc_id, raw[str(doc_id)])

    def __len__(self) -> int:
        return len(self._ids)

    def next_id(self) -> int:
        return (self._ids[-1] + 1) if self._ids else 1

    def insert(self, document: Mapping[str, Any], doc_id: int | None = None) -> int:
        """Store a new document and return its id (the next free id unless one is given)."""
        with self.store.lock:
            if doc_id is None:
                doc_id = self.next_id()
            self.table.insert(Document(copy_document(dict(document)), doc_id=doc_id))
            self._insert_id(doc_id)
            self._add_to_indexes(doc_id, document)
            return doc_id

    def insert_many(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        """Store many new documents in one table write and return their ids."""
        with self.store.lock:
            raw = self.store.storage.read().setdefault(self.name, {})
            ids = []
            next_id = self.next_id()
            for document in documents:
                raw[str(next_id)] = copy_document(dict(document))
                self._ids.append(next_id)
                self._add_to_indexes(next_id, document)
                ids.append(next_id)
                next_id += 1
            self.store.storage.write(self.store.storage.read())
            self.table.clear_cache()
            self.table._next_id = None
            return ids

    def get(self, doc_id: int) -> dict[str, Any] | None:
        with self.store.lock:
            raw = self.table._read_table().get(str(doc_id))
            return copy_document(raw) if raw is not None else None

    def update(self, doc_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``fields`` into a document and return the new document.

        The stored document is replaced by a new dict rather than changed in place, so a
        snapshot taken for a data-file write keeps the version it copied.
        """
        with self.store.lock:
            current = self.table._read_table().get(str(doc_id))
            if current is None:
                raise KeyError(doc_id)
            self._remove_from_indexes(doc_id, current)
            updated = {**current, **copy_document(dict(fields))}

            def replace(table: MutableMapping[int, Any]) -> None:
                table[doc_id] = updated

            self.table._update_table(replace)  # type: ignore[arg-type]
            self._add_to_indexes(doc_id, updated)
            return copy_document(updated)  # type: ignore[no-any-return]

    def remove(self, doc_id: int) -> None:
        with self.store.lock:
            current = self.table._read_table().get(str(doc_id))
            if current is None:
                raise KeyError(doc_id)
            self._remove_from_indexes(doc_id, current)
            self.table.remove(doc_ids=[doc_id])
            position = bisect.bisect_left(self._ids, doc_id)
            del self._ids[position]

    def page(self, after: int | None, limit: int, ids: list[int] | None = None) -> list[tuple[int, dict[str, Any]]]:
        """Return up to ``limit`` documents with ids greater than ``after``, in id order.

        ``ids`` restricts the page to a sorted subset of ids (for example an index hit).
        """
        with self.store.lock:
            source = self._ids if ids is None else ids
            start = 0 if after is None else bisect.bisect_right(source, after)
            raw = self.table._read_table()
            chosen = source[start : start + limit]
            return [(doc_id, copy_document(raw[str(doc_id)])) for doc_id in chosen]

    def ids(self) -> list[int]:
        with self.store.lock:
            return list(self._ids)

    def sorted_ids(self) -> list[int]:
        """Return the sorted ids without copying them, for paging through a large collection.

        The caller must hold the store lock while it uses the list and must not change it.
        """
        return self._ids

    def find(self, index: str, value: Hashable) -> list[int]:
        """Return the sorted ids of documents whose ``index`` key includes ``value``."""
        with self.store.lock:
            return sorted(self._indexes[index].get(value, ()))

    def scan(self, predicate: Callable[[Mapping[str, Any]], bool] | None = None) -> list[int]:
        """Return the sorted ids of documents that match ``predicate`` (all when it is None)."""
        with self.store.lock:
            raw = self.table._read_table()
            if predicate is None:
                return list(self._ids)
            return [doc_id for doc_id in self._ids if predicate(raw[str(doc_id)])]

    def _insert_id(self, doc_id: int) -> None:
        if not self._ids or doc_id > self._ids[-1]:
            self._ids.append(doc_id)
        else:
            bisect.insort(self._ids, doc_id)

    def _add_to_indexes(self, doc_id: int, document: Mapping[str, Any]) -> None:
        for name, key in self._index_keys.items():
            for value in key(document):
                self._indexes[name].setdefault(value, set()).add(doc_id)

    def _remove_from_indexes(self, doc_id: int, document: Mapping[str, Any]) -> None:
        for name, key in self._index_keys.items():
            for value in key(document):
                bucket = self._indexes[name].get(value)
                if bucket is not None:
                    bucket.discard(doc_id)
                    if not bucket:
                        del self._indexes[name][value]
