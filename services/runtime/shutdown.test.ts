import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { onShutdown } from "./shutdown.js";

const logger = pino({ level: "silent" });

describe("onShutdown", () => {
  it("runs the steps in order on a signal, once, then exits 0", async () => {
    const order: string[] = [];
    const exit = vi.fn();
    const sd = onShutdown(
      [async () => void order.push("consumers"), async () => void order.push("drain"), async () => void order.push("http")],
      { logger, exit, signals: ["SIGUSR2"] },
    );
    try {
      process.emit("SIGUSR2");
      process.emit("SIGUSR2");
      expect(await sd.run("again")).toBe(0);
      expect(order).toEqual(["consumers", "drain", "http"]);
      expect(exit).toHaveBeenCalledTimes(1);
      expect(exit).toHaveBeenCalledWith(0);
    } finally {
      sd.dispose();
    }
  });

  it("keeps going after a failed step and exits 1", async () => {
    const order: string[] = [];
    const exit = vi.fn();
    const sd = onShutdown(
      [
        async () => {
          throw new Error("stuck");
        },
        async () => void order.push("drain"),
      ],
      { logger, exit, signals: [] },
    );
    expect(await sd.run("test")).toBe(1);
    expect(order).toEqual(["drain"]);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it("exits 1 when the steps outlast the timeout", async () => {
    vi.useFakeTimers();
    try {
      const exit = vi.fn();
      const sd = onShutdown([() => new Promise<void>(() => undefined)], { logger, exit, signals: [], timeoutMs: 1000 });
      const done = sd.run("test");
      await vi.advanceTimersByTimeAsync(1000);
      expect(await done).toBe(1);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
