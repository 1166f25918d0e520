/**
 * Runs a Python program, as jsii-rosetta translates a README example, the way jsii-Python runs
 * it: every import, constructor, call and property read becomes the kernel request the binding's
 * generated code sends (jsii-pacmak's Python, jsii's `python-runtime`):
 *
 * - importing a module of a jsii package loads its dependencies' assemblies, then its own (`load`);
 * - `Class(a, b, key=v)`: `create` with every positional parameter (`None` for those left out) and,
 *   when the last parameter is a struct, the keyword arguments lifted into it; a struct always goes
 *   as `{"$jsii.struct": {fqn, data}}` with every field of the struct, `null` where unset;
 * - `Class.method(...)`: `sinvoke`; `obj.method(...)`: `invoke`; `Class.CONSTANT`: `sget`;
 *   `obj.prop`: `get`; `Enum.MEMBER`: a Python enum member, sent as `{"$jsii.enum": "fqn/MEMBER"}`;
 *   objects as `{"$jsii.byref": ref}`; a dict as `{"$jsii.map": ...}`.
 *
 * Only the Python that rosetta writes for these examples is understood: imports, assignments,
 * expression statements, calls, attribute reads and literals. Anything else throws, naming it.
 */
import * as spec from '@jsii/spec';
import { JsiiPackage, JsiiRuntime, loadOrder } from './jsii-runtime';

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type Expr =
  | { readonly t: 'name'; readonly name: string }
  | { readonly t: 'attr'; readonly obj: Expr; readonly name: string }
  | { readonly t: 'call'; readonly fn: Expr; readonly args: Expr[]; readonly kwargs: Array<[string, Expr]> }
  | { readonly t: 'lit'; readonly value: string | number | boolean | null }
  | { readonly t: 'list'; readonly items: Expr[] }
  | { readonly t: 'dict'; readonly entries: Array<[Expr, Expr]> };

export type Stmt =
  | { readonly t: 'import'; readonly module: string; readonly alias?: string; readonly line: number }
  | { readonly t: 'from'; readonly module: string; readonly names: Array<[string, string]>; readonly line: number }
  | { readonly t: 'assign'; readonly target: string; readonly value: Expr; readonly line: number }
  | { readonly t: 'expr'; readonly value: Expr; readonly line: number };

interface Token { readonly k: 'name' | 'str' | 'num' | 'op' | 'nl'; readonly v: string; readonly line: number }

function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let line = 1;
  const re = /[ \t]+|#[^\n]*|\\\n|\n|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[()[\]{},.=:]/y;
  while (re.lastIndex < source.length) {
    const at = re.lastIndex;
    const m = re.exec(source);
    if (!m) throw new Error(`python line ${line}: cannot read ${JSON.stringify(source.slice(at, at + 20))}`);
    const s = m[0];
    if (s === '\n') {
      if (depth === 0 && out.length > 0 && out[out.length - 1].k !== 'nl') out.push({ k: 'nl', v: '', line });
      line++;
    } else if (s === '\\\n') {
      line++;
    } else if (/^[ \t]/.test(s) || s.startsWith('#')) {
      continue;
    } else if (s.startsWith('"') || s.startsWith("'")) {
      out.push({ k: 'str', v: JSON.parse(s.startsWith('"') ? s : `"${s.slice(1, -1).replace(/"/g, '\\"')}"`) as string, line });
    } else if (/^\d/.test(s)) {
      out.push({ k: 'num', v: s, line });
    } else if (/^[A-Za-z_]/.test(s)) {
      out.push({ k: 'name', v: s, line });
    } else {
      if ('([{'.includes(s)) depth++;
      if (')]}'.includes(s)) depth--;
      out.push({ k: 'op', v: s, line });
    }
  }
  out.push({ k: 'nl', v: '', line });
  return out;
}

/** The statements of `source` (the subset rosetta writes). */
export function parsePython(source: string): Stmt[] {
  const toks = tokenize(source);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const expectOp = (v: string) => {
    const t = next();
    if (t.k !== 'op' || t.v !== v) throw new Error(`python line ${t.line}: expected ${JSON.stringify(v)}, got ${JSON.stringify(t.v)}`);
  };
  const dotted = (): string => {
    let name = next().v;
    while (peek().k === 'op' && peek().v === '.') {
      next();
      name += '.' + next().v;
    }
    return name;
  };
  const atom = (): Expr => {
    const t = next();
    if (t.k === 'str') {
      let v = t.v;
      while (peek().k === 'str') v += next().v;
      return { t: 'lit', value: v };
    }
    if (t.k === 'num') return { t: 'lit', value: Number(t.v) };
    if (t.k === 'name') {
      if (t.v === 'True' || t.v === 'False') return { t: 'lit', value: t.v === 'True' };
      if (t.v === 'None') return { t: 'lit', value: null };
      return { t: 'name', name: t.v };
    }
    if (t.k === 'op' && t.v === '[') {
      const items: Expr[] = [];
      while (!(peek().k === 'op' && peek().v === ']')) {
        items.push(expr());
        if (peek().v === ',') next();
      }
      next();
      return { t: 'list', items };
    }
    if (t.k === 'op' && t.v === '{') {
      const entries: Array<[Expr, Expr]> = [];
      while (!(peek().k === 'op' && peek().v === '}')) {
        const key = expr();
        expectOp(':');
        entries.push([key, expr()]);
        if (peek().v === ',') next();
      }
      next();
      return { t: 'dict', entries };
    }
    if (t.k === 'op' && t.v === '(') {
      const inner = expr();
      expectOp(')');
      return inner;
    }
    throw new Error(`python line ${t.line}: unexpected ${JSON.stringify(t.v)}`);
  };
  const expr = (): Expr => {
    let e = atom();
    for (;;) {
      const t = peek();
      if (t.k === 'op' && t.v === '.') {
        next();
        e = { t: 'attr', obj: e, name: next().v };
      } else if (t.k === 'op' && t.v === '(') {
        next();
        const args: Expr[] = [];
        const kwargs: Array<[string, Expr]> = [];
        while (!(peek().k === 'op' && peek().v === ')')) {
          if (peek().k === 'name' && toks[i + 1].k === 'op' && toks[i + 1].v === '=') {
            const key = next().v;
            next();
            kwargs.push([key, expr()]);
          } else {
            if (kwargs.length > 0) throw new Error(`python line ${peek().line}: positional argument after keyword arguments`);
            args.push(expr());
          }
          if (peek().k === 'op' && peek().v === ',') next();
        }
        next();
        e = { t: 'call', fn: e, args, kwargs };
      } else {
        return e;
      }
    }
  };
  const stmts: Stmt[] = [];
  while (i < toks.length) {
    const t = peek();
    if (t.k === 'nl') {
      next();
      continue;
    }
    if (t.k === 'name' && t.v === 'import') {
      next();
      const module = dotted();
      let alias: string | undefined;
      if (peek().v === 'as') {
        next();
        alias = next().v;
      }
      stmts.push({ t: 'import', module, alias, line: t.line });
    } else if (t.k === 'name' && t.v === 'from') {
      next();
      const module = dotted();
      if (next().v !== 'import') throw new Error(`python line ${t.line}: expected import`);
      const names: Array<[string, string]> = [];
      do {
        if (peek().v === ',') next();
        const name = next().v;
        let alias = name;
        if (peek().v === 'as') {
          next();
          alias = next().v;
        }
        names.push([name, alias]);
      } while (peek().v === ',');
      stmts.push({ t: 'from', module, names, line: t.line });
    } else if (t.k === 'name' && toks[i + 1].k === 'op' && toks[i + 1].v === '=') {
      next();
      next();
      stmts.push({ t: 'assign', target: t.v, value: expr(), line: t.line });
    } else {
      stmts.push({ t: 'expr', value: expr(), line: t.line });
    }
    if (peek().k !== 'nl') throw new Error(`python line ${peek().line}: unexpected ${JSON.stringify(peek().v)} at the end of a statement`);
  }
  return stmts;
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/** A Python value during the replay. */
export type PyValue =
  | { readonly k: 'module'; readonly name: string }
  | { readonly k: 'type'; readonly fqn: string }
  | { readonly k: 'obj'; readonly ref: string; readonly fqns: string[] }
  | { readonly k: 'enum'; readonly fqn: string; readonly member: string }
  | { readonly k: 'struct'; readonly fqn: string; readonly data: Map<string, PyValue> }
  | { readonly k: 'callable'; readonly fqn: string; readonly method: spec.Method; readonly self?: PyValue }
  | { readonly k: 'prim'; readonly value: string | number | boolean | null }
  | { readonly k: 'list'; readonly items: PyValue[] }
  | { readonly k: 'dict'; readonly entries: Map<string, PyValue> };

/** The name jsii-pacmak gives a member in Python, compared loosely: case and `_` aside. */
function isProperty(member: spec.Property | spec.Method): member is spec.Property {
  return 'type' in member;
}

function loose(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Replays Python programs against one runtime, with the types of `packages`. */
export class PythonReplay {
  private readonly types = new Map<string, spec.Type>();
  /** Python module → its types and submodules (by Python name). */
  private readonly modules = new Map<string, { assembly: string; members: Map<string, PyValue> }>();
  private readonly loaded = new Set<string>();

  constructor(
    private readonly runtime: JsiiRuntime, private readonly packages: Map<string, JsiiPackage>, private readonly tarballs: Map<string, string>,
  ) {
    for (const { assembly } of packages.values()) {
      const root = String(assembly.targets?.python?.module);
      const moduleOf = new Map<string, string>([[assembly.name, root]]);
      this.modules.set(root, { assembly: assembly.name, members: new Map() });
      for (const [fqn, sub] of Object.entries(assembly.submodules ?? {})) {
        const py = sub.targets?.python?.module;
        if (typeof py !== 'string') continue;
        moduleOf.set(fqn, py);
        this.modules.set(py, { assembly: assembly.name, members: new Map() });
        const parent = py.slice(0, py.lastIndexOf('.'));
        this.modules.get(parent)?.members.set(py.slice(py.lastIndexOf('.') + 1), { k: 'module', name: py });
      }
      for (const type of Object.values(assembly.types ?? {})) {
        this.types.set(type.fqn, type);
        const py = moduleOf.get(type.fqn.slice(0, type.fqn.lastIndexOf('.')));
        if (py) this.modules.get(py)!.members.set(type.name, { k: 'type', fqn: type.fqn });
      }
    }
  }

  /** Runs `source`; returns its top-level variables. A kernel error is thrown as it came. */
  public async run(source: string): Promise<Map<string, PyValue>> {
    const scope = new Map<string, PyValue>();
    for (const stmt of parsePython(source)) {
      try {
        switch (stmt.t) {
          case 'import': {
            const value = await this.importModule(stmt.module);
            if (stmt.alias) scope.set(stmt.alias, value);
            else scope.set(stmt.module.split('.')[0], await this.importModule(stmt.module.split('.')[0]));
            break;
          }
          case 'from': {
            const module = await this.importModule(stmt.module);
            for (const [name, alias] of stmt.names) scope.set(alias, await this.attribute(module, name));
            break;
          }
          case 'assign':
            scope.set(stmt.target, await this.evaluate(stmt.value, scope));
            break;
          case 'expr':
            await this.evaluate(stmt.value, scope);
            break;
        }
      } catch (e) {
        (e as Error).message = `python line ${stmt.line}: ${(e as Error).message}`;
        throw e;
      }
    }
    return scope;
  }

  /** Reads `prop` of an object (a `get`), for comparing results. */
  public async get(obj: PyValue, prop: string): Promise<PyValue> {
    return this.attribute(obj, prop);
  }

  /** Whether the jsii type of an object declares the instance property `prop` (a Python attribute). */
  public declares(obj: PyValue, prop: string): boolean {
    if (obj.k !== 'obj') return false;
    return this.members(obj.fqns).some(({ member }) => !member.static && isProperty(member) && loose(member.name) === loose(prop));
  }

  /** Calls a method of an object with no arguments (an `invoke`). */
  public async call(obj: PyValue, method: string): Promise<PyValue> {
    return this.callValue(await this.attribute(obj, method), [], []);
  }

  private async importModule(name: string): Promise<PyValue> {
    const module = this.modules.get(name);
    if (!module) throw new Error(`no jsii package has the Python module ${name}`);
    for (const assembly of loadOrder(this.packages, module.assembly)) {
      if (this.loaded.has(assembly)) continue;
      this.loaded.add(assembly);
      const { version } = this.packages.get(assembly)!.assembly;
      await this.runtime.request({ api: 'load', name: assembly, version, tarball: this.tarballs.get(assembly)! });
    }
    return { k: 'module', name };
  }

  private async evaluate(e: Expr, scope: Map<string, PyValue>): Promise<PyValue> {
    switch (e.t) {
      case 'lit': return { k: 'prim', value: e.value };
      case 'name': {
        const v = scope.get(e.name);
        if (!v) throw new Error(`name ${e.name} is not defined`);
        return v;
      }
      case 'attr': return this.attribute(await this.evaluate(e.obj, scope), e.name);
      case 'list': return { k: 'list', items: await Promise.all(e.items.map((x) => this.evaluate(x, scope))) };
      case 'dict': {
        const entries = new Map<string, PyValue>();
        for (const [key, value] of e.entries) {
          const k = await this.evaluate(key, scope);
          if (k.k !== 'prim' || typeof k.value !== 'string') throw new Error(`dict key ${JSON.stringify(k)} is not a string`);
          entries.set(k.value, await this.evaluate(value, scope));
        }
        return { k: 'dict', entries };
      }
      case 'call': {
        const fn = await this.evaluate(e.fn, scope);
        const args = [];
        for (const a of e.args) args.push(await this.evaluate(a, scope));
        const kwargs: Array<[string, PyValue]> = [];
        for (const [key, value] of e.kwargs) kwargs.push([key, await this.evaluate(value, scope)]);
        return this.callValue(fn, args, kwargs);
      }
    }
  }

  private type(fqn: string): spec.Type {
    const type = this.types.get(fqn);
    if (!type) throw new Error(`no jsii type ${fqn}`);
    return type;
  }

  /** Members of a class or interface, its bases' and interfaces' included (own first). */
  private members(fqns: readonly string[]): Array<{ owner: string; member: spec.Property | spec.Method }> {
    const out: Array<{ owner: string; member: spec.Property | spec.Method }> = [];
    const seen = new Set<string>();
    const visit = (fqn: string) => {
      if (seen.has(fqn) || !this.types.has(fqn)) return;
      seen.add(fqn);
      const type = this.type(fqn);
      if (spec.isClassOrInterfaceType(type)) {
        for (const m of [...(type.properties ?? []), ...(type.methods ?? [])]) out.push({ owner: fqn, member: m });
        if (spec.isClassType(type) && type.base) visit(type.base);
        for (const i of type.interfaces ?? []) visit(i);
      }
    };
    fqns.forEach(visit);
    return out;
  }

  private async attribute(target: PyValue, name: string): Promise<PyValue> {
    if (target.k === 'module') {
      const module = this.modules.get(target.name)!;
      const member = module.members.get(name);
      if (!member) throw new Error(`module ${target.name} has no ${name}`);
      if (member.k === 'module') await this.importModule(member.name);
      return member;
    }
    if (target.k === 'type') {
      const type = this.type(target.fqn);
      if (spec.isEnumType(type)) {
        const member = type.members.find((m) => m.name === name);
        if (!member) throw new Error(`enum ${type.fqn} has no member ${name}`);
        return { k: 'enum', fqn: type.fqn, member: member.name };
      }
      const found = this.members([target.fqn]).find(({ member }) => member.static && loose(member.name) === loose(name));
      if (!found) throw new Error(`${target.fqn} has no static member ${name}`);
      if (!isProperty(found.member)) return { k: 'callable', fqn: found.owner, method: found.member };
      const ok = await this.runtime.request({ api: 'sget', fqn: found.owner, property: found.member.name });
      return this.fromWire((ok as { value?: unknown }).value);
    }
    if (target.k === 'obj') {
      const found = this.members(target.fqns).find(({ member }) => !member.static && loose(member.name) === loose(name));
      if (!found) throw new Error(`${target.fqns.join(' & ')} has no member ${name}`);
      if (!isProperty(found.member)) return { k: 'callable', fqn: found.owner, method: found.member, self: target };
      const ok = await this.runtime.request({ api: 'get', objref: { '$jsii.byref': target.ref }, property: found.member.name });
      return this.fromWire((ok as { value?: unknown }).value);
    }
    throw new Error(`cannot read ${name} of a ${target.k}`);
  }

  private isStruct(typeRef: spec.TypeReference | undefined): typeRef is spec.NamedTypeReference {
    if (!typeRef || !spec.isNamedTypeReference(typeRef)) return false;
    const type = this.types.get(typeRef.fqn);
    return type !== undefined && spec.isInterfaceType(type) && type.datatype === true;
  }

  /** Every field of a struct, its bases' included: the struct's `name_mapping` in the binding. */
  private structFields(fqn: string): spec.Property[] {
    const fields: spec.Property[] = [];
    for (const { member } of this.members([fqn])) if (isProperty(member)) fields.push(member);
    return fields;
  }

  private makeStruct(fqn: string, kwargs: Array<[string, PyValue]>): PyValue {
    const fields = this.structFields(fqn);
    const data = new Map<string, PyValue>();
    for (const [key, value] of kwargs) {
      const field = fields.find((f) => loose(f.name) === loose(key));
      if (!field) throw new Error(`${fqn} has no field ${key}`);
      data.set(field.name, value);
    }
    const missing = fields.filter((f) => !f.optional && !data.has(f.name)).map((f) => f.name);
    if (missing.length > 0) throw new Error(`${fqn} needs ${missing.join(', ')}`);
    return { k: 'struct', fqn, data };
  }

  /** The arguments the binding sends: every positional parameter, and the lifted struct last. */
  private arguments(params: readonly spec.Parameter[], args: PyValue[], kwargs: Array<[string, PyValue]>, what: string): unknown[] {
    const last = params[params.length - 1];
    const lifted = this.isStruct(last?.type) && !last.variadic;
    const positional = lifted ? params.slice(0, -1) : params;
    if (args.length > positional.length) throw new Error(`${what} takes ${positional.length} positional arguments, got ${args.length}`);
    if (!lifted && kwargs.length > 0) {
      throw new Error(`${what} takes no keyword arguments (${kwargs.map(([k]) => k).join(', ')}): its last parameter is not a struct`);
    }
    const out: unknown[] = positional.map((_, i) => (i < args.length ? this.toWire(args[i]) : null));
    if (lifted) out.push(this.toWire(this.makeStruct((last.type as spec.NamedTypeReference).fqn, kwargs)));
    return out;
  }

  private async callValue(fn: PyValue, args: PyValue[], kwargs: Array<[string, PyValue]>): Promise<PyValue> {
    if (fn.k === 'type') {
      const type = this.type(fn.fqn);
      if (spec.isInterfaceType(type) && type.datatype) {
        if (args.length > 0) throw new Error(`struct ${fn.fqn} takes keyword arguments only`);
        return this.makeStruct(fn.fqn, kwargs);
      }
      if (!spec.isClassType(type)) throw new Error(`${fn.fqn} is not a class`);
      const params = this.initializer(type)?.parameters ?? [];
      const interfaces: string[] = [];
      for (let t: spec.ClassType | undefined = type; t; t = t.base ? this.types.get(t.base) as spec.ClassType | undefined : undefined) {
        for (const i of t.interfaces ?? []) if (!interfaces.includes(i)) interfaces.push(i);
      }
      const ok = await this.runtime.request({
        api: 'create', fqn: fn.fqn, args: this.arguments(params, args, kwargs, fn.fqn), overrides: [], interfaces,
      });
      return this.fromWire(ok);
    }
    if (fn.k === 'callable') {
      const what = `${fn.fqn}.${fn.method.name}`;
      const wireArgs = this.arguments(fn.method.parameters ?? [], args, kwargs, what);
      const ok = fn.self
        ? await this.runtime.request({ api: 'invoke', objref: { '$jsii.byref': (fn.self as { ref: string }).ref }, method: fn.method.name, args: wireArgs })
        : await this.runtime.request({ api: 'sinvoke', fqn: fn.fqn, method: fn.method.name, args: wireArgs });
      return this.fromWire((ok as { result?: unknown } | undefined)?.result);
    }
    throw new Error(`a ${fn.k} is not callable`);
  }

  private initializer(type: spec.ClassType): spec.Initializer | undefined {
    for (let t: spec.ClassType | undefined = type; t; t = t.base ? this.types.get(t.base) as spec.ClassType | undefined : undefined) {
      if (t.initializer) return t.initializer;
    }
    return undefined;
  }

  /** A value as jsii-Python serializes it (`_make_reference_for_native`, `jdefault`, `_unstructure_enum`). */
  private toWire(v: PyValue): unknown {
    switch (v.k) {
      case 'prim': return v.value;
      case 'obj': return { '$jsii.byref': v.ref };
      case 'enum': return { '$jsii.enum': `${v.fqn}/${v.member}` };
      case 'list': return v.items.map((x) => this.toWire(x));
      case 'dict': return { '$jsii.map': Object.fromEntries([...v.entries].map(([k, x]) => [k, this.toWire(x)])) };
      case 'struct': {
        const data: Record<string, unknown> = {};
        for (const field of this.structFields(v.fqn)) {
          const value = v.data.get(field.name);
          data[field.name] = value === undefined ? null : this.toWire(value);
        }
        return { '$jsii.struct': { fqn: v.fqn, data } };
      }
      default: throw new Error(`cannot pass a ${v.k} to the kernel`);
    }
  }

  private fromWire(x: unknown): PyValue {
    if (x === undefined || x === null || typeof x !== 'object') return { k: 'prim', value: (x ?? null) as string | number | boolean | null };
    if (Array.isArray(x)) return { k: 'list', items: x.map((i) => this.fromWire(i)) };
    const o = x as Record<string, unknown>;
    if (typeof o['$jsii.byref'] === 'string') {
      const ref = o['$jsii.byref'];
      const fqn = ref.slice(0, ref.lastIndexOf('@'));
      return { k: 'obj', ref, fqns: [fqn, ...((o['$jsii.interfaces'] as string[] | undefined) ?? [])] };
    }
    if (typeof o['$jsii.enum'] === 'string') {
      const [fqn, member] = [o['$jsii.enum'].slice(0, o['$jsii.enum'].lastIndexOf('/')), o['$jsii.enum'].slice(o['$jsii.enum'].lastIndexOf('/') + 1)];
      return { k: 'enum', fqn, member };
    }
    const map = (o['$jsii.map'] ?? o) as Record<string, unknown>;
    return { k: 'dict', entries: new Map(Object.entries(map).map(([k, v]) => [k, this.fromWire(v)])) };
  }
}
