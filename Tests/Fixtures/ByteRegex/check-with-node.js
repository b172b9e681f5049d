// Reruns the tables of Tests/EngineTests/ByteRegexTests.swift through node's RegExp and
// prints every row whose expectation is not JavaScript's. Exit status 1 when there is one.
//   node --enable-experimental-regexp-engine-on-excessive-backtracks Tests/Fixtures/ByteRegex/check-with-node.js
// (the flag lets V8 finish rows such as /(a*)*b/ on 30 a's, exponential for its backtracker)
const fs = require("fs");
const path = require("path");
const source = fs.readFileSync(path.join(__dirname, "../../EngineTests/ByteRegexTests.swift"), "utf8");

// A tiny reader for the Swift expressions the tables use: string literals (raw #"…"# or
// escaped "…"), String(repeating: "x", count: n), names of `static let` strings, and `+`.
function readExpression(text, pos, names) {
  let value = "";
  for (;;) {
    while (text[pos] === " ") pos++;
    let part;
    if (text.startsWith('#"', pos)) {
      const end = text.indexOf('"#', pos + 2);
      part = text.slice(pos + 2, end);
      pos = end + 2;
    } else if (text[pos] === '"') {
      part = "";
      pos++;
      while (text[pos] !== '"') {
        if (text[pos] === "\\") {
          const c = text[pos + 1];
          if (c === "u") {
            const end = text.indexOf("}", pos);
            part += String.fromCodePoint(parseInt(text.slice(pos + 3, end), 16));
            pos = end + 1;
            continue;
          }
          part += { n: "\n", t: "\t", r: "\r", 0: "\0", "\\": "\\", '"': '"' }[c];
          pos += 2;
        } else {
          const cp = text.codePointAt(pos);
          part += String.fromCodePoint(cp);
          pos += cp > 0xffff ? 2 : 1;
        }
      }
      pos++;
    } else if (text.startsWith("String(repeating:", pos)) {
      const [whole, unit, count] = /^String\(repeating: "(.*?)", count: (\d+)\)/.exec(text.slice(pos));
      part = unit.repeat(Number(count));
      pos += whole.length;
    } else {
      const [name] = /^\w+/.exec(text.slice(pos));
      if (!(name in names)) throw new Error("unknown name " + name);
      part = names[name];
      pos += name.length;
    }
    value += part;
    while (text[pos] === " ") pos++;
    if (text[pos] !== "+") return [value, pos];
    pos++;
  }
}

function readArguments(text, pos, names) {
  const args = [];
  for (;;) {
    while (text[pos] === " ") pos++;
    if (text.startsWith("true", pos) || text.startsWith("false", pos)) {
      args.push(text.startsWith("true", pos));
      pos += args[args.length - 1] ? 4 : 5;
    } else {
      const [value, next] = readExpression(text, pos, names);
      args.push(value);
      pos = next;
    }
    while (text[pos] === " ") pos++;
    if (text[pos] === ")") return args;
    pos++; // the comma
  }
}

const names = {};
for (const match of source.matchAll(/static let (\w+) = (#".*"#)\n/g)) names[match[1]] = readExpression(match[2], 0, {})[0];

let table = null, failures = 0, checked = 0;
// Rows the formatter wrapped over several lines are joined first.
const lines = [];
for (const line of source.split("\n")) {
  const last = lines.length - 1;
  if (last >= 0 && /^\s*(Case|Rejected)\(/.test(lines[last]) && !/\),?\s*$/.test(lines[last])) lines[last] += " " + line.trim();
  else lines.push(line);
}
for (const line of lines) {
  const start = /static let (cases|malformed|unsupported)/.exec(line);
  if (start) table = start[1];
  const row = /^\s*(Case|Rejected)\(/.exec(line);
  if (!row || !table) continue;
  const args = readArguments(line, row[0].length, names);
  const [pattern, flags] = args;
  const show = `/${pattern}/${flags}`;
  checked++;
  let regex = null, error = null;
  try { regex = new RegExp(pattern, flags); } catch (e) { error = e.message; }
  if (table === "cases") {
    if (error) { failures++; console.log(`${show}: JavaScript rejects it: ${error}`); continue; }
    const actual = regex.test(args[2]);
    if (actual !== args[3]) { failures++; console.log(`${show} on ${JSON.stringify(args[2])}: JavaScript says ${actual}`); }
  } else if (table === "malformed" && !error) {
    failures++; console.log(`${show}: JavaScript accepts it`);
  } else if (table === "unsupported" && error) {
    failures++; console.log(`${show}: JavaScript rejects it too: ${error}`);
  }
}
console.log(`${checked} rows checked, ${failures} disagree with JavaScript`);
process.exit(failures ? 1 : 0);
