import { describe, expect, it } from "vitest";
import { renderTemplate } from "./promql-template.js";

const values = { namespace: "shop", service: "ratings", intervalSeconds: 30 };

describe("renderTemplate", () => {
  it.each([
    [
      "flagger-style spaces and an equality matcher",
      'sum(rate(x{ns="{{ namespace }}",svc="{{service}}"}[{{ interval }}]))',
      'sum(rate(x{ns="shop",svc="ratings"}[30s]))',
    ],
    ["interval only", "sum by (destination_version) (rate(x[{{interval}}]))", "sum by (destination_version) (rate(x[30s]))"],
    ["regex matcher context", 'x{svc=~"{{service}}|other"}', 'x{svc=~"ratings|other"}'],
    ["single-quoted literal", "x{ns='{{namespace}}'}", "x{ns='shop'}"],
    ["raw string literal", "x{ns=`{{namespace}}`}", "x{ns=`shop`}"],
    ["escapes in the template's own text are kept", 'x{a="q\\"{{namespace}}"}', 'x{a="q\\"shop"}'],
  ])("%s", (_name, template, want) => {
    const r = renderTemplate(template, values);
    expect(r).toMatchObject({ ok: true, text: want });
  });

  it("reports which placeholders it used", () => {
    const r = renderTemplate('x{ns="{{namespace}}"}[{{interval}}]', values);
    expect(r.ok && r.scope).toEqual({ namespace: true, service: false, interval: true });
  });

  it("escapes regex metacharacters only in regex context", () => {
    const v = { ...values, service: "web.v1" };
    expect(renderTemplate('x{s="{{service}}"}', v)).toMatchObject({ text: 'x{s="web.v1"}' });
    expect(renderTemplate('x{s=~"{{service}}"}', v)).toMatchObject({ text: 'x{s=~"web\\\\.v1"}' });
    expect(renderTemplate('x{s !~ "{{service}}"}', v)).toMatchObject({ text: 'x{s !~ "web\\\\.v1"}' });
    expect(renderTemplate("x{s=~`{{service}}`}", v)).toMatchObject({ text: "x{s=~`web\\.v1`}" });
  });

  it.each([
    ['a"} or vector(1) #', 'x{ns="a\\"} or vector(1) #"}'],
    ["a\\", 'x{ns="a\\\\"}'],
    ["line\nbreak", 'x{ns="line\\nbreak"}'],
  ])("a hostile value %j stays inside its literal", (namespace, want) => {
    expect(renderTemplate('x{ns="{{namespace}}"}', { ...values, namespace })).toMatchObject({ ok: true, text: want });
  });

  it("refuses a value that cannot be made safe in a raw string", () => {
    expect(renderTemplate("x{ns=`{{namespace}}`}", { ...values, namespace: "a`b" })).toMatchObject({ ok: false });
  });

  it("keeps a newline in a value inside a comment", () => {
    const r = renderTemplate("x # for {{namespace}}\n+ 1", { ...values, namespace: "a\nvector(1)" });
    expect(r).toMatchObject({ ok: true, text: "x # for a\\nvector(1)\n+ 1" });
  });

  it.each([
    ["a bare namespace", "x{ns={{namespace}}}", /must be inside a quoted label value/],
    ["a bare service", "sum(x) by ({{service}})", /must be inside a quoted label value/],
    ["an unknown placeholder", 'x{a="{{pod}}"}', /unknown placeholder \{\{pod\}\}/],
    ["an unterminated literal", 'x{a="{{namespace}}}', /unterminated/],
  ])("refuses %s", (_name, template, why) => {
    const r = renderTemplate(template, values);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });

  it("leaves text without placeholders unchanged", () => {
    const t = 'sum by (destination_version) (rate(istio_requests_total{reporter="destination"}[1m]))';
    expect(renderTemplate(t, values)).toMatchObject({ ok: true, text: t });
  });
});
