/** The part of word-extractor's API trove uses (the package ships no types). */
declare module 'word-extractor' {
  interface WordDocument {
    getBody(): string;
    getHeaders(o?: { includeFooters?: boolean }): string;
    getFooters(): string;
    getFootnotes(): string;
    getEndnotes(): string;
    getAnnotations(): string;
    getTextboxes(o?: { includeHeadersAndFooters?: boolean; includeBody?: boolean }): string;
  }
  export default class WordExtractor {
    extract(source: string | Buffer): Promise<WordDocument>;
  }
}
