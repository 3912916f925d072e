// --data-dir: what survives a restart of kube-sim. Objects and resourceVersions as a snapshot plus
// a write-ahead journal (journal.ts records), the CA and serving certificate, and the bearer
// token, so kubeconfigs and running clients keep working across restarts.
//
// Every change is written to the journal with a synchronous write(2) before the request that made
// it is answered, so a process killed at any moment (kill -9) loses nothing it acknowledged; a
// record torn by the kill is cut off when the directory is opened again. The journal is fsynced
// once a second and when a snapshot is taken: an operating-system crash may lose the last second.
// When the journal outgrows the snapshot, the current state is written to a new snapshot
// (temporary file, fsync, rename) and the journal starts over.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type CertificateAuthority, createServingPair, type IssuedCertificate, issueCertificate } from '@lb/certs';
import { decodeRecords, encodeRecord, type JournalRecord } from './journal.js';
import { type Store, type StoreJournal, type StoredObject } from './store.js';

const SNAPSHOT = 'snapshot';
const JOURNAL = 'journal';
const LOCK = 'kube-sim.pid';
const PKI = 'pki.json';
const TOKEN = 'token';
/** The journal is folded into a new snapshot once it is this large and larger than the snapshot. */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;

export interface Pki {
  readonly ca: CertificateAuthority;
  readonly serving: IssuedCertificate;
}

export interface LoadStats {
  readonly objects: number;
  readonly journalRecords: number;
  /** Set when the journal ended in a torn or damaged record, which was cut off. */
  readonly cutOff?: string;
}

function writeAtomically(path: string, data: string | Buffer, mode = 0o600): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(join(path, '..'), 'r');
  try {
    fdatasyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** write(2) until all of it is written (a regular file rarely takes less, but may). */
function writeAll(fd: number, buf: Buffer): void {
  for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories open in this process (the pid lock cannot tell two starts in one process apart). */
const openHere = new Set<string>();

export class DataDir implements StoreJournal {
  private journalFd: number | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private compactScheduled = false;
  private store: Store | undefined;

  private constructor(readonly path: string) {}

  /** Opens (creating) the directory and takes its lock: one kube-sim per directory. */
  static open(path: string): DataDir {
    if (openHere.has(path)) throw new Error(`data directory ${path} is in use by this process`);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const lock = join(path, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
        openHere.add(path);
        return new DataDir(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(lock, 'utf8'));
        if (Number.isInteger(owner) && owner > 0 && processAlive(owner) && owner !== process.pid) {
          throw new Error(`data directory ${path} is in use by kube-sim process ${owner}`);
        }
        // Left behind by a process that is gone (killed): take it over.
        rmSync(lock, { force: true });
      }
    }
    throw new Error(`could not lock data directory ${path}`);
  }

  /** The CA and serving certificate kept here, made (and kept) on first use; reissued for new hosts. */
  async pki(hosts: readonly string[], issuer: () => Promise<Pki> = () => createServingPair(hosts, 'kube-apiserver', 'kube-sim-ca')): Promise<Pki> {
    const file = join(this.path, PKI);
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Pki & { hosts?: string[] };
      if (JSON.stringify(saved.hosts ?? []) === JSON.stringify(hosts)) return saved;
      const serving = issueCertificate(saved.ca, hosts, 'kube-apiserver');
      writeAtomically(file, JSON.stringify({ ca: saved.ca, serving, hosts }));
      return { ca: saved.ca, serving };
    }
    const made = await issuer();
    writeAtomically(file, JSON.stringify({ ca: made.ca, serving: made.serving, hosts }));
    return made;
  }

  /** The bearer token kept here; `given` replaces it. */
  token(given: string | undefined): string {
    const file = join(this.path, TOKEN);
    if (given !== undefined) {
      writeAtomically(file, given);
      return given;
    }
    if (existsSync(file)) return readFileSync(file, 'utf8');
    const token = randomBytes(16).toString('hex');
    writeAtomically(file, token);
    return token;
  }

  /** Fills `store` from the snapshot and the journal, then journals every change it makes. */
  load(store: Store): LoadStats {
    let snapshotVersion = 0;
    const snapshotFile = join(this.path, SNAPSHOT);
    if (existsSync(snapshotFile)) {
      const buf = readFileSync(snapshotFile);
      this.snapshotBytes = buf.length;
      const decoded = decodeRecords(buf);
      if (decoded.stoppedBecause) throw new Error(`snapshot ${snapshotFile} is damaged: ${decoded.stoppedBecause}`);
      for (const record of decoded.records) {
        if (record.op === 'version') snapshotVersion = record.resourceVersion;
        else if (record.op === 'put') store.load(record.resource, record.object);
      }
    }
    const journalFile = join(this.path, JOURNAL);
    let journalRecords = 0;
    let cutOff: string | undefined;
    this.journalFd = openSync(journalFile, 'a+', 0o600);
    const buf = readFileSync(journalFile);
    const decoded = decodeRecords(buf);
    for (const record of decoded.records) {
      // A journal older than the snapshot (a crash between renaming the snapshot and emptying the
      // journal) holds nothing the snapshot lacks.
      if (record.op === 'version' || (record.op === 'put' ? record.object.resourceVersion : record.resourceVersion) <= snapshotVersion) continue;
      apply(store, record);
      journalRecords++;
    }
    if (decoded.stoppedBecause) {
      cutOff = decoded.stoppedBecause;
      ftruncateSync(this.journalFd, decoded.validBytes);
    }
    this.journalBytes = decoded.validBytes;
    store.restoreResourceVersion(snapshotVersion);
    this.store = store;
    store.setJournal(this);
    this.syncTimer = setInterval(() => this.sync(), 1000);
    this.syncTimer.unref();
    return { objects: store.count(), journalRecords, ...(cutOff ? { cutOff } : {}) };
  }

  put(resource: string, object: StoredObject): void {
    this.append({ op: 'put', resource, object });
  }

  remove(resource: string, final: StoredObject): void {
    this.append({ op: 'remove', resource, key: final.key, resourceVersion: final.resourceVersion });
  }

  drop(resource: string, resourceVersion: number): void {
    this.append({ op: 'drop', resource, resourceVersion });
  }

  private append(record: JournalRecord): void {
    if (this.journalFd === undefined) return;
    const buf = encodeRecord(record);
    writeAll(this.journalFd, buf);
    this.journalBytes += buf.length;
    this.dirty = true;
    if (this.journalBytes > COMPACT_AT_BYTES && this.journalBytes > this.snapshotBytes && !this.compactScheduled) {
      this.compactScheduled = true;
      // After the write that crossed the line has been answered, not inside it.
      setImmediate(() => this.compact());
    }
  }

  private sync(): void {
    if (!this.dirty || this.journalFd === undefined) return;
    this.dirty = false;
    fdatasyncSync(this.journalFd);
  }

  /** Writes the whole store as the new snapshot and empties the journal. */
  compact(): void {
    this.compactScheduled = false;
    const store = this.store;
    if (!store || this.journalFd === undefined) return;
    const parts: Buffer[] = [encodeRecord({ op: 'version', resourceVersion: store.resourceVersion })];
    for (const [resource, object] of store.entries()) parts.push(encodeRecord({ op: 'put', resource, object }));
    const data = Buffer.concat(parts);
    writeAtomically(join(this.path, SNAPSHOT), data);
    this.snapshotBytes = data.length;
    ftruncateSync(this.journalFd, 0);
    fdatasyncSync(this.journalFd);
    this.journalBytes = 0;
    this.dirty = false;
  }

  /** Syncs and closes the journal and gives up the lock. */
  close(): void {
    clearInterval(this.syncTimer);
    this.store?.setJournal(undefined);
    if (this.journalFd !== undefined) {
      fdatasyncSync(this.journalFd);
      closeSync(this.journalFd);
      this.journalFd = undefined;
    }
    rmSync(join(this.path, LOCK), { force: true });
    openHere.delete(this.path);
  }

  /** Bytes in the journal file now (tests and benchmarks). */
  get journalSize(): number {
    return this.journalFd === undefined ? 0 : fstatSync(this.journalFd).size;
  }
}

function apply(store: Store, record: JournalRecord): void {
  switch (record.op) {
    case 'put':
      store.load(record.resource, record.object);
      return;
    case 'remove':
      store.unload(record.resource, record.key, record.resourceVersion);
      return;
    case 'drop':
      store.unloadResource(record.resource, record.resourceVersion);
      return;
    case 'version':
      return;
  }
}
