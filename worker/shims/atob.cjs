module.exports = (s) => globalThis.atob(s);
