/// A failure of the test scaffolding itself (a fixture that did not start, a file that could not be read).
public struct FixtureError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
