/**
 * Fills the README's generated translations: the section between
 *
 *   <!-- rosetta: python java -->   and   <!-- /rosetta -->
 *
 * becomes jsii-rosetta's translation, into each language named, of the nearest TypeScript block
 * (```ts) above the marker, taken from the tablet `npx projen rosetta` writes. That TypeScript
 * block is compiled in strict mode like every README example, so the translation is of code
 * that compiles, and nobody types it by hand.
 *
 *   ts-node --transpile-only projenrc/readme-translations.ts [--check] [README, default: README.md] [tablet]
 *
 * Without --check the README is rewritten in place (the build's `rosetta` task). With --check it
 * is left alone, and the exit code is 1 if any section differs from what would be written.
 */
import * as fs from 'fs';

export const LANGUAGES: Record<string, { readonly fence: string; readonly title: string }> = {
  python: { fence: 'python', title: 'Python' },
  java: { fence: 'java', title: 'Java' },
  csharp: { fence: 'csharp', title: 'C#' },
  go: { fence: 'go', title: 'Go' },
};

const BEGIN = /^<!-- rosetta: ([a-z ]+) -->$/;
const END = '<!-- /rosetta -->';

interface Tablet {
  readonly snippets: Record<string, {
    readonly location?: { readonly api?: { readonly api?: string } };
    readonly translations: Record<string, { readonly source: string }>;
  }>;
}

/** README text with every generated section rebuilt from `tablet`. Throws naming what is wrong. */
export function withTranslations(readme: string, tablet: Tablet): string {
  const lines = readme.split('\n');
  const out: string[] = [];
  let lastTs: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```ts\b/.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      out.push(line);
      for (i++; i < lines.length && lines[i] !== '```'; i++) {
        body.push(lines[i]);
        out.push(lines[i]);
      }
      if (i >= lines.length) throw new Error(`README line ${start + 1}: unclosed \`\`\`ts block`);
      out.push(lines[i]);
      lastTs = body.join('\n');
      continue;
    }
    const begin = BEGIN.exec(line);
    if (!begin) {
      out.push(line);
      continue;
    }
    const markerLine = i + 1;
    const end = lines.indexOf(END, i + 1);
    if (end < 0) throw new Error(`README line ${markerLine}: ${line} has no ${END} after it`);
    if (lastTs === undefined) throw new Error(`README line ${markerLine}: no \`\`\`ts block above ${line}`);
    const source = lastTs.trim();
    const snippet = Object.values(tablet.snippets).find((s) =>
      s.location?.api?.api === 'moduleReadme' && s.translations.$?.source.trim() === source);
    if (snippet === undefined) {
      throw new Error(`README line ${markerLine}: the TypeScript block above is not in the tablet; ` +
        'run `npx projen compile` (the README is read into .jsii by jsii, then translated by `npx projen rosetta`)');
    }
    out.push(line);
    const languages = begin[1].trim().split(/\s+/);
    for (const language of languages) {
      const lang = LANGUAGES[language];
      const translation = snippet.translations[language];
      if (lang === undefined || translation === undefined) {
        throw new Error(`README line ${markerLine}: no translation into "${language}" (languages: ${Object.keys(LANGUAGES).join(', ')})`);
      }
      if (languages.length > 1) out.push(`**${lang.title}**`, '');
      out.push('```' + lang.fence, translation.source.trimEnd(), '```', '');
    }
    out.push(END);
    i = end;
  }
  return out.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const check = args[0] === '--check';
  const [readmeFile = 'README.md', tabletFile = '.jsii.tabl.json'] = check ? args.slice(1) : args;
  const readme = fs.readFileSync(readmeFile, 'utf-8');
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8')) as Tablet;
  const updated = withTranslations(readme, tablet);
  if (updated === readme) {
    console.log(`readme-translations: ${readmeFile} is up to date`);
  } else if (check) {
    console.error(`readme-translations: ${readmeFile} differs from the translations in ${tabletFile}: run \`npx projen rosetta\``);
    process.exitCode = 1;
  } else {
    fs.writeFileSync(readmeFile, updated);
    console.log(`readme-translations: rewrote the generated sections of ${readmeFile}`);
  }
}
