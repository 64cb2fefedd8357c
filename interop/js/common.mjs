// Shared helpers for the lance-torch <-> LanceDB interop scripts.
import * as fs from "node:fs";
import * as path from "node:path";
import * as lancedb from "@lancedb/lancedb";

/** JSON-able description of an Arrow schema: fields (name, type, nullable) and schema metadata. */
export function describeSchema(schema) {
  const meta = {};
  for (const [k, v] of schema.metadata ?? new Map()) meta[k] = v;
  return {
    fields: schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    metadata: meta,
  };
}

/** All rows of `table` as [_rowid, id] in stored (scan) order. */
export async function rowIdToId(table) {
  const t = await table.query().select(["id"]).withRowId().toArrow();
  const rid = t.getChild("_rowid");
  const id = t.getChild("id");
  const map = new Map();
  const order = [];
  for (let i = 0; i < t.numRows; i++) {
    const r = BigInt(rid.get(i));
    map.set(r, BigInt(id.get(i)));
    order.push(r);
  }
  return { map, order };
}

/**
 * Splits of permutation table `perm` over `base` as LanceDB reads them: the perm table's (row_id, split_id) in
 * stored order, split k = rows with split_id = k in that order, each row_id resolved to the base row's `id`.
 * The Node package has a PermutationBuilder but no Permutation reader, so this is the reading rule LanceDB's
 * Python/Rust `Permutation` implement, applied with LanceDB's own scan and take.
 */
export async function readSplits(base, perm) {
  const t = await perm.query().select(["row_id", "split_id"]).toArrow();
  const rowIds = t.getChild("row_id");
  const splitIds = t.getChild("split_id");
  const splits = [];
  const splitRowIds = [];
  for (let i = 0; i < t.numRows; i++) {
    const s = Number(splitIds.get(i));
    while (splits.length <= s) { splits.push([]); splitRowIds.push([]); }
    splitRowIds[s].push(BigInt(rowIds.get(i)));
  }
  const { map } = await rowIdToId(base);
  let unresolved = 0;
  for (let k = 0; k < splitRowIds.length; k++) {
    splits[k] = splitRowIds[k].map((r) => {
      const v = map.get(r);
      if (v === undefined) { unresolved++; return null; }
      return v.toString();
    });
  }
  // Cross-check with LanceDB's own take-by-row-id for each split (order as requested, or matched by _rowid).
  const takeSplits = [];
  for (let k = 0; k < splitRowIds.length; k++) {
    if (splitRowIds[k].length === 0) { takeSplits.push([]); continue; }
    const tk = await base.takeRowIds(splitRowIds[k]).select(["id"]).withRowId().toArrow();
    const byRid = new Map();
    const rid = tk.getChild("_rowid");
    const id = tk.getChild("id");
    for (let i = 0; i < tk.numRows; i++) byRid.set(BigInt(rid.get(i)), BigInt(id.get(i)).toString());
    takeSplits.push(splitRowIds[k].map((r) => byRid.get(r) ?? null));
  }
  return {
    splits,
    splitRowIds: splitRowIds.map((a) => a.map((r) => r.toString())),
    takeAgrees: JSON.stringify(takeSplits) === JSON.stringify(splits),
    unresolved,
  };
}

// A table's row count, version and schema (describeSchema), as the reports write them.
export async function tableSummary(table, schema) {
  return { rows: await table.countRows(), version: await table.version(), schema: describeSchema(schema) };
}

// Writes `report` as indented JSON to dir/name; returns the file's path.
export function writeReport(dir, name, report) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}

export async function connect(dir) {
  return lancedb.connect(dir);
}
