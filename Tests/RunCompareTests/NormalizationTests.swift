import Foundation
import Testing
@testable import RunCompare

@Suite struct NormalizationTests {
    @Test func noneIsJiwersDefault() {
        #expect(WordErrorRate.words("  a  b ", normalization: .none) == ["a", "b"])
        // A lone newline stays inside a word (jiwer splits on single spaces only).
        #expect(WordErrorRate.words("a\nb c", normalization: .none) == ["a\nb", "c"])
        #expect(WordErrorRate.words("a \n b", normalization: .none) == ["a", "b"])
        #expect(WordErrorRate.words("Hello, World!", normalization: .none) == ["Hello,", "World!"])
    }

    @Test func basicLowercasesAndDropsPunctuation() {
        #expect(WordErrorRate.words("Hello, World! It's\tend-to-end.", normalization: .basic) == ["hello", "world", "its", "endtoend"])
        #expect(WordErrorRate.words("“Quoted” — ÉCOLE", normalization: .basic) == ["quoted", "école"])
        #expect(WordErrorRate.words("$5 + 3 = 8", normalization: .basic) == ["$5", "+", "3", "=", "8"])
    }

    @Test func wordsCompareByScalarsNotCanonicalEquivalence() {
        // Python compares code points: precomposed é and e + U+0301 are different words.
        let m = WordErrorRate.compare(reference: "caf\u{E9}", hypothesis: "cafe\u{301}", normalization: .none).measures
        #expect(m.substitutions == 1)
    }

    @Test func whisperNormalisesNumbersContractionsAndFillers() {
        #expect(WhisperNormalizer.normalize("Um, I can't believe it's twenty one degrees!") == "i can not believe it is 21 degrees")
        #expect(WhisperNormalizer.normalize("Mr. Smith paid five dollars [music]") == "mister smith paid $5")
        #expect(WhisperNormalizer.normalize("One hundred and five people; the third time") == "105 people the 3rd time")
        #expect(WhisperNormalizer.normalize("two point five percent of the colour") == "2.5% of the color")
        #expect(WhisperNormalizer.normalize("Café (laughs) naïve") == "cafe naive")
        #expect(WhisperNormalizer.normalize("1,000 or 2.") == "1000 or 2")
        #expect(WhisperNormalizer.normalize("one two three") == "1 2 3")
    }

    @Test func whisperModeMakesSpellingVariantsEqual() {
        let m = WordErrorRate.compare(reference: "It's twenty-one, Mr. Smith's favourite colour.",
                                      hypothesis: "it is 21 mister smith's favorite color", normalization: .whisper).measures
        #expect(m.errors == 0)
    }

    @Test func transcriptExtraction() {
        let whisper = Data(#"{"text": " Hello there.", "segments": [{"text": " Hello"}, {"text": " there."}]}"#.utf8)
        #expect(TranscriptText.extract(whisper, mediaType: "application/json") == " Hello there.")
        let segments = Data(#"{"segments": [{"text": "a b"}, {"text": "c"}]}"#.utf8)
        #expect(TranscriptText.extract(segments, mediaType: "application/json") == "a b c")
        let nested = Data(#"[{"id": 1, "text": "x"}, {"result": {"text": "y"}}]"#.utf8)
        #expect(TranscriptText.extract(nested, mediaType: "application/json") == "x y")
        #expect(TranscriptText.extract(Data("plain words".utf8), mediaType: "text/plain") == "plain words")
        #expect(TranscriptText.extract(Data([0xff, 0xfe, 0x00]), mediaType: "application/octet-stream") == nil)
    }
}
