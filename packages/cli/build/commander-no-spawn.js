// Stands in for node:child_process inside commander, which imports it only to run git-style
// executable subcommands (`coffer-foo` files). coffer has none, and loading child_process costs
// start-up time on every command. See build.mjs.
export default {
  spawn() {
    throw new Error("coffer has no executable subcommands");
  },
};
