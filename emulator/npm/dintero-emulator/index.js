// dintero-emulator: where this machine's emulator binary is. The binary comes from the platform
// package npm installed with this one (an optional dependency per platform; npm installs the
// one whose os, cpu and libc match).
'use strict';

const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

/** The platform packages, by `${process.platform}-${process.arch}` and C library. */
const PLATFORMS = {
  'linux-x64': { glibc: 'dintero-emulator-linux-x64-gnu', musl: 'dintero-emulator-linux-x64-musl' },
  'linux-arm64': { glibc: 'dintero-emulator-linux-arm64-gnu' },
};

/** `musl` or `glibc` on Linux (from Node's own report, else the dynamic loader's name). */
function libc() {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  if (report && report.header && report.header.glibcVersionRuntime) return 'glibc';
  try {
    if (readFileSync('/usr/bin/ldd', 'utf8').includes('musl')) return 'musl';
  } catch {
    // no ldd: fall through
  }
  return report && report.sharedObjects && report.sharedObjects.some((f) => f.includes('musl')) ? 'musl' : 'glibc';
}

/** The name of the platform package for this machine, or undefined when none is built. */
function platformPackage() {
  const byLibc = PLATFORMS[`${process.platform}-${process.arch}`];
  return byLibc ? byLibc[process.platform === 'linux' ? libc() : 'glibc'] : undefined;
}

/** The path of the emulator binary. Throws, naming what to install, when there is none. */
function binaryPath() {
  const name = platformPackage();
  if (name === undefined) {
    throw new Error(
      `dintero-emulator: no prebuilt binary for ${process.platform}-${process.arch}; ` +
        'build it with `cargo install dintero-emulator` and set DINTERO_EMULATOR_BIN',
    );
  }
  let dir;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(
      `dintero-emulator: the platform package ${name} is not installed ` +
        '(npm skipped an optional dependency?): reinstall dintero-emulator without --omit=optional',
    );
  }
  const bin = path.join(dir, process.platform === 'win32' ? 'dintero-emulator.exe' : 'dintero-emulator');
  if (!existsSync(bin)) throw new Error(`dintero-emulator: ${name} has no binary at ${bin}`);
  return bin;
}

module.exports = { binaryPath, platformPackage };
