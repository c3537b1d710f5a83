// Parses a GIFT file with gift-pegjs and prints the questions as JSON (used by tests/test_export_gift.py).
"use strict";
const fs = require("fs");
const { parse } = require("gift-pegjs");

const text = fs.readFileSync(process.argv[2], "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text), null, 1));
} catch (error) {
  const where = error.location ? `${error.location.start.line}:${error.location.start.column}: ` : "";
  process.stderr.write(`${process.argv[2]}:${where}${error.message}\n`);
  process.exit(1);
}
