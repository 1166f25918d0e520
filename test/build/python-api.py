"""Reads a generated Python binding and a jsii-rosetta tablet; prints JSON for bindings.test.ts.

    python3 python-api.py <binding __init__.py> <tablet .jsii.tabl.json>

api: every class of the binding, with each method's parameters (own and inherited from classes
of the same module): positional, keyword-only, the keyword-only ones without default, and how it
is declared (classmethod, staticmethod, property or method).
examples: every Python translation in the tablet: a syntax error if it does not parse, else each
call of the form `Class(...)` or `Class.member(...)` with its keywords and positional count.
"""
import ast
import json
import sys


def params(fn):
    a = fn.args
    positional = [p.arg for p in a.posonlyargs + a.args]
    kwonly = [p.arg for p in a.kwonlyargs]
    required = [p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is None]
    decorators = [ast.unparse(d) for d in fn.decorator_list]
    kind = 'method'
    for d in decorators:
        for k in ('classmethod', 'staticmethod', 'property'):
            if d.endswith(k):
                kind = k
    return {'positional': positional, 'kwonly': kwonly, 'requiredKwonly': required, 'kind': kind}


def read_api(path):
    tree = ast.parse(open(path, encoding='utf-8').read(), path)
    classes = {}
    bases = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = {}
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name not in methods:
                    methods[item.name] = params(item)
            classes[node.name] = methods
            bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]

    def merged(name, seen):
        out = {}
        for base in bases.get(name, []):
            if base in classes and base not in seen:
                out.update(merged(base, seen | {base}))
        out.update(classes[name])
        return out

    return {name: merged(name, {name}) for name in classes}


def describe(location):
    api = location.get('api', {})
    field = location.get('field', {})
    line = f" line {field['line']}" if 'line' in field else ''
    if api.get('api') == 'moduleReadme':
        return f'README.md example{line}'
    member = '.' + (api.get('methodName') or api.get('memberName') or '') if api.get('api') in ('member', 'parameter') else ''
    return f"docstring of {api.get('fqn', '?')}{member} ({field.get('field', '?')}{line})"


def read_examples(path):
    tablet = json.load(open(path, encoding='utf-8'))
    examples = []
    for key, snippet in tablet['snippets'].items():
        python = snippet.get('translations', {}).get('python')
        if python is None:
            continue
        where = describe(snippet.get('location') or {})
        source = python['source']
        entry = {'where': where, 'source': source, 'calls': []}
        try:
            tree = ast.parse(source)
        except SyntaxError as e:
            entry['syntaxError'] = f'line {e.lineno}: {e.msg}'
            examples.append(entry)
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name):
                callee = [f.id]
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                callee = [f.value.id, f.attr]
            else:
                continue
            entry['calls'].append({
                'callee': callee,
                'keywords': [k.arg for k in node.keywords if k.arg is not None],
                'positional': len(node.args),
                'line': node.lineno,
            })
        examples.append(entry)
    return examples


print(json.dumps({'api': read_api(sys.argv[1]), 'examples': read_examples(sys.argv[2])}))
