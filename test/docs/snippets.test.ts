/**
 * Issue 27: every TypeScript example under docs/ compiles as strictly as the README's
 * (`jsii-rosetta extract --strict`: the same fixture, the same compiler options).
 */
import { compileMarkdownSnippets, docsMarkdown } from './compile-snippets';

describe('issue 27: docs/ examples compile like the README\'s', () => {
  test('every ```ts block of docs/*.md and README.md compiles in rosetta\'s fixture with its strict options', () => {
    // GIVEN the markdown files
    const files = [...docsMarkdown(), 'README.md'];

    // WHEN their TypeScript blocks are compiled
    const { snippets, errors } = compileMarkdownSnippets(files);

    // THEN there are blocks, and none fails
    expect(snippets).toBeGreaterThanOrEqual(10);
    expect(errors.map((e) => `${e.where}: ${e.message}`)).toEqual([]);
  }, 180_000);
});
