// Goal: every WAL record decodes to exactly what was encoded, only at the position it was
// encoded for, and any single damaged byte is detected rather than decoded as something else.
// Method: fast-check generates records of every type and positions; we round-trip them, then
// flip one byte (or move the record) and check the decoder reports it as not valid.
import fc from 'fast-check';
import {
  decodeRecord,
  encodeRecord,
  formatSegmentName,
  parseSegmentName,
  recordBytes,
  RecordType,
  type WalRecord,
} from './record-format';
import { EntryType } from '@shoal/raft';

const RECORD_MAX = 4096;
const safe = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const positive = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const recordArbitrary: fc.Arbitrary<WalRecord> = fc.oneof(
  fc.record({
    term: positive,
    index: positive,
    type: fc.constantFrom(EntryType.Normal, EntryType.ConfChange, EntryType.ConfChangeV2),
    data: fc.uint8Array({ maxLength: 200 }),
  }).map((entry): WalRecord => ({ type: RecordType.Entry, entry })),
  fc.record({ term: safe, vote: safe, commit: safe })
    .map((hardState): WalRecord => ({ type: RecordType.HardState, hardState })),
  fc.record({ index: safe, term: safe })
    .map((snapshotMarker): WalRecord => ({ type: RecordType.SnapshotMarker, snapshotMarker })),
  fc.tuple(safe, safe, safe, safe, safe, safe, safe, safe, safe).map(
    ([seq, firstIndex, nodeId, clusterId, term, vote, commit, index, markerTerm]): WalRecord => ({
      type: RecordType.Segment,
      header: {
        seq,
        firstIndex,
        metadata: { nodeId, clusterId },
        hardState: { term, vote, commit },
        snapshotMarker: { index, term: markerTerm },
      },
    }),
  ),
);

const positionArbitrary = fc.record({
  segmentSeq: fc.nat({ max: 1_000_000 }),
  offset: fc.nat({ max: 1_000_000 }).map((n) => n * 8),
});

/** place puts an encoded record at its offset inside a segment-like buffer. */
function place(encoded: Uint8Array, offset: number): Uint8Array {
  const segment = new Uint8Array(offset + encoded.length + 64);
  segment.set(encoded, offset);
  return segment;
}

describe('record format', () => {
  it('decodes what it encodes, 8-byte aligned', () => {
    fc.assert(
      fc.property(recordArbitrary, positionArbitrary, (record, position) => {
        const encoded = encodeRecord(record, position);
        expect(encoded.length % 8).toBe(0);
        expect(encoded.length).toBe(recordBytes(record));
        const read = decodeRecord(place(encoded, position.offset), position, RECORD_MAX);
        expect(read).toEqual({ kind: 'valid', record, bytes: encoded.length });
      }),
    );
  });

  it('rejects a record read at another position (moved or copied)', () => {
    fc.assert(
      fc.property(recordArbitrary, positionArbitrary, fc.nat(), (record, position, shift) => {
        const encoded = encodeRecord(record, position);
        const other = { segmentSeq: position.segmentSeq + 1 + (shift % 3), offset: 0 };
        expect(decodeRecord(encoded, other, RECORD_MAX).kind).toBe('invalid');
      }),
    );
  });

  it('detects any single damaged byte of header or payload', () => {
    fc.assert(
      fc.property(
        recordArbitrary,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (record, at, xor) => {
          const position = { segmentSeq: 3, offset: 0 };
          const encoded = encodeRecord(record, position);
          // Padding after the payload is not covered by the CRC; everything before it is.
          const unpadded = 16 + new DataView(encoded.buffer).getUint32(0, true);
          const damaged = place(encoded, 0);
          damaged[at % unpadded] ^= xor;
          const read = decodeRecord(damaged, position, RECORD_MAX);
          expect(['invalid', 'zero']).toContain(read.kind);
        },
      ),
    );
  });

  it('reads preallocated zeros as "zero", never as a record', () => {
    expect(decodeRecord(new Uint8Array(64), { segmentSeq: 0, offset: 8 }, RECORD_MAX)).toEqual({
      kind: 'zero',
    });
  });

  it('names segments %016x-%016x.wal and parses them back', () => {
    fc.assert(
      fc.property(safe, safe, (seq, firstIndex) => {
        const name = formatSegmentName({ seq, firstIndex });
        expect(name).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}\.wal$/);
        expect(parseSegmentName(name)).toEqual({ seq, firstIndex });
      }),
    );
    expect(formatSegmentName({ seq: 1, firstIndex: 255 })).toBe(
      '0000000000000001-00000000000000ff.wal',
    );
    expect(parseSegmentName('0000000000000001-00000000000000ff.wal.tmp')).toBeUndefined();
  });
});
