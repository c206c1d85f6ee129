import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { quote, type Problem } from "@/lib/run/problem";

/**
 * Checks that a value has the shape of a message's protobuf JSON form and lists
 * EVERY mismatch with its path (`nodes[2].behavior.errorRate: must be a number`).
 *
 * `fromJson` stops at the first problem with a message naming proto fields
 * (`cannot decode field ipcplay.v1.Behavior.error_rate`); a person fixing a file
 * by hand wants all of them at once, in the names they typed. The rules follow
 * the protobuf JSON mapping as protobuf-es reads it: either the JSON name or the
 * proto name of a field, `null` for "default", numbers or numeric strings,
 * enum values by name or number.
 *
 * @example
 * checkJsonShape(TopologySchema, { nodes: [{ id: 1, colour: "red" }] });
 * // [{ path: "nodes[0].id", message: "must be a string, got the number 1" },
 * //  { path: "nodes[0].colour", message: 'unknown field "colour"' }]
 */
export function checkJsonShape(schema: DescMessage, value: unknown): Problem[] {
  const problems: Problem[] = [];
  checkMessage(schema, value, "", problems);
  return problems;
}

/**
 * `a.b`, or `b` at the root; a key that is no plain name is quoted the JSON way
 * (`nodes[0]["x\ny"]`), so a path is always one line and says what was typed.
 */
function fieldPath(base: string, key: string): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return `${base}[${quote(key)}]`;
  return base ? `${base}.${key}` : key;
}

function checkMessage(schema: DescMessage, value: unknown, path: string, problems: Problem[]): void {
  if (!isPlainObject(value)) {
    problems.push({ path, message: `must be an object, got ${describeJson(value)}` });
    return;
  }
  const oneofSeen = new Map<string, string>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const keyPath = fieldPath(path, key);
    const field = schema.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) {
      problems.push({ path: keyPath, message: unknownFieldMessage(schema, key) });
      continue;
    }
    if (field.oneof) {
      // protobuf-es counts a member as set even when its value is null.
      const first = oneofSeen.get(field.oneof.name);
      if (first !== undefined) {
        problems.push({
          path: keyPath,
          message: `set only one of ${field.oneof.fields.map((f) => f.jsonName).join(", ")}; ${quote(first)} is already set`,
        });
        continue;
      }
      oneofSeen.set(field.oneof.name, key);
    }
    if (fieldValue === null) continue; // null means "the default" for every field kind we use
    checkField(field, fieldValue, keyPath, problems);
  }
}

function checkField(field: DescField, value: unknown, path: string, problems: Problem[]): void {
  switch (field.fieldKind) {
    case "message":
      checkMessage(field.message, value, path, problems);
      return;
    case "enum":
      checkEnum(field.enum, value, path, problems);
      return;
    case "scalar":
      checkScalar(field.scalar, value, path, problems);
      return;
    case "list":
      if (!Array.isArray(value)) {
        problems.push({ path, message: `must be a list, got ${describeJson(value)}` });
        return;
      }
      value.forEach((item: unknown, index) => {
        const itemPath = `${path}[${index}]`;
        if (item === null) {
          problems.push({ path: itemPath, message: "must not be null" });
        } else if (field.listKind === "message") {
          checkMessage(field.message, item, itemPath, problems);
        } else if (field.listKind === "enum") {
          checkEnum(field.enum, item, itemPath, problems);
        } else {
          checkScalar(field.scalar, item, itemPath, problems);
        }
      });
      return;
    case "map":
      // The topology has no map fields; fromJson judges any that appear later.
      return;
  }
}

function checkEnum(desc: DescEnum, value: unknown, path: string, problems: Problem[]): void {
  const choices = desc.values.filter((v) => v.number !== 0).map((v) => v.name);
  if (typeof value === "string") {
    if (desc.values.some((v) => v.name === value)) return;
    // People often write the short form ("SERVICE" for NODE_KIND_SERVICE).
    // protobuf-es names each value without the enum's prefix: localName "SERVICE".
    const meant = desc.values.find((v) => v.number !== 0 && v.localName === value.toUpperCase());
    const hint = meant ? `did you mean "${meant.name}"?` : `use one of ${choices.join(", ")}`;
    problems.push({ path, message: `unknown value ${quote(value)}: ${hint}` });
    return;
  }
  if (typeof value === "number" && Number.isInteger(value)) {
    if (desc.value[value]) return;
    problems.push({ path, message: `unknown value ${value}: use one of ${choices.join(", ")}` });
    return;
  }
  problems.push({ path, message: `must be one of ${choices.join(", ")}, got ${describeJson(value)}` });
}

const UINT32_MAX = 0xffff_ffff;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

function checkScalar(type: ScalarType, value: unknown, path: string, problems: Problem[]): void {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value !== "string") problems.push({ path, message: `must be a string, got ${describeJson(value)}` });
      return;
    case ScalarType.BOOL:
      if (typeof value !== "boolean") problems.push({ path, message: `must be true or false, got ${describeJson(value)}` });
      return;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      // The JSON mapping spells the special values as strings; a bare NaN is no JSON.
      const special = value === "NaN" || value === "Infinity" || value === "-Infinity";
      if (!special && !Number.isFinite(jsonNumber(value))) {
        problems.push({ path, message: `must be a number, got ${describeJson(value)}` });
      }
      return;
    }
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      checkInteger(value, 0, UINT32_MAX, path, problems);
      return;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      checkInteger(value, INT32_MIN, INT32_MAX, path, problems);
      return;
    default:
      // 64-bit integers and bytes do not occur in the topology; fromJson judges them.
      return;
  }
}

function checkInteger(value: unknown, min: number, max: number, path: string, problems: Problem[]): void {
  const n = jsonNumber(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = min === 0 ? `a whole number from 0 to ${max}` : `a whole number from ${min} to ${max}`;
    problems.push({ path, message: `must be ${range}, got ${describeJson(value)}` });
  }
}

/** A JSON number, or a numeric string as the JSON mapping allows; NaN otherwise. */
function jsonNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return Number.NaN;
}

function unknownFieldMessage(schema: DescMessage, key: string): string {
  // Catch the usual slips: wrong case, snake_case vs camelCase.
  const squash = (s: string) => s.replace(/_/g, "").toLowerCase();
  const near = schema.fields.find((f) => squash(f.jsonName) === squash(key));
  const known = schema.fields.map((f) => f.jsonName).join(", ");
  return near ? `unknown field ${quote(key)}: did you mean "${near.jsonName}"?` : `unknown field ${quote(key)} (known: ${known})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "a list", "null", "the number 1.5", "the string \"x\"" — for messages. */
function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `the string ${quote(value)}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}
