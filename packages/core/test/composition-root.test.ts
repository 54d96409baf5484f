// The composition root: parts built once, on first use, from factories that resolve other parts;
// replacing a part is one registration, refused once the part is in use.
import { describe, expect, it } from "vitest";
import { CompositionRoot } from "../src/index.js";

interface Parts {
  clock: () => number;
  greeting: string;
  greeter: { greet(): string };
}

function root() {
  let built = 0;
  const composition = new CompositionRoot<Parts>()
    .register("clock", () => () => 1_000)
    .register("greeting", () => "hello")
    .register("greeter", (parts) => {
      built++;
      const greeting = parts.resolve("greeting");
      const clock = parts.resolve("clock");
      return { greet: () => `${greeting} at ${clock()}` };
    });
  return { composition, built: () => built };
}

describe("CompositionRoot", () => {
  it("builds a part from the parts it resolves, once", () => {
    const { composition, built } = root();
    expect(composition.resolve("greeter").greet()).toBe("hello at 1000");
    expect(composition.resolve("greeter")).toBe(composition.resolve("greeter"));
    expect(built()).toBe(1);
  });

  it("swaps a part with one registration, and what depends on it uses the new one", () => {
    const { composition } = root();
    composition.register("clock", () => () => 2_000);
    expect(composition.resolve("greeter").greet()).toBe("hello at 2000");
    expect(root().composition.provide("greeting", "hi").resolve("greeter").greet()).toBe("hi at 1000");
  });

  it("refuses to replace a part already in use", () => {
    const { composition } = root();
    composition.resolve("greeter");
    expect(() => composition.register("clock", () => () => 3_000)).toThrow(
      /The part 'clock' is already built and in use/,
    );
  });

  it("names a missing part and the registered ones", () => {
    const composition = new CompositionRoot<Parts>().provide("greeting", "hello");
    expect(() => composition.resolve("clock")).toThrow(
      "No part 'clock' is registered (registered: greeting).",
    );
  });

  it("names a circle of parts instead of overflowing the stack", () => {
    const composition = new CompositionRoot<Parts>()
      .register("greeting", (parts) => parts.resolve("greeter").greet())
      .register("greeter", (parts) => {
        const greeting = parts.resolve("greeting");
        return { greet: () => greeting };
      });
    expect(() => composition.resolve("greeter")).toThrow(
      "The parts depend on each other in a circle: greeter → greeting → greeter.",
    );
  });
});
