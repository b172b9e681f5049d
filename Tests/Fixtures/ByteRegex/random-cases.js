// Random patterns over a and b with groups, lookaround, back-references, lazy and counted
// repetition, anchors and \b, each tested by node's RegExp on random short texts. Prints
// [pattern, flags, text, node's test()] rows as JSON for ByteRegexTests to compare with.
//   node --enable-experimental-regexp-engine-on-excessive-backtracks random-cases.js SEED COUNT
let seed = Number(process.argv[2] || 1);
const count = Number(process.argv[3] || 2000);
function rnd(n) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; }
function atom(d) {
  const r = rnd(d > 2 ? 4 : 12);
  if (r < 3) return ["a", "b", "."][r];
  if (r === 3) return "[ab]";
  if (r === 4) return "(" + alt(d + 1) + ")";
  if (r === 5) return "(?:" + alt(d + 1) + ")";
  if (r === 6) return "(?=" + alt(d + 1) + ")";
  if (r === 7) return "(?!" + alt(d + 1) + ")";
  if (r === 8) return "(?<=" + alt(d + 1) + ")";
  if (r === 9) return "(?<!" + alt(d + 1) + ")";
  if (r === 10) return "\\" + (1 + rnd(3));
  return ["^", "$", "\\b"][rnd(3)];
}
function term(d) {
  let a = atom(d);
  const q = rnd(8);
  if (q < 4 && !/^\(\?<|^\^|^\$|^\\b/.test(a)) {
    a += ["*", "+", "?", "{1,2}"][q];
    if (rnd(3) === 0) a += "?";
  }
  return a;
}
function seq(d) { let s = ""; const n = 1 + rnd(3); for (let i = 0; i < n; i++) s += term(d); return s; }
function alt(d) { let s = seq(d); if (rnd(4) === 0) s += "|" + seq(d); return s; }
const out = [];
for (let i = 0; i < count; i++) {
  const pattern = alt(0);
  const flags = rnd(4) === 0 ? "i" : "";
  let regex;
  try { regex = new RegExp(pattern, flags); } catch (e) { continue; }
  for (let k = 0; k < 4; k++) {
    let text = "";
    const n = rnd(21);
    for (let j = 0; j < n; j++) text += "abA"[rnd(3)];
    out.push([pattern, flags, text, regex.test(text)]);
  }
}
process.stdout.write(JSON.stringify(out));
