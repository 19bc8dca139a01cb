import Testing
@testable import Replay

@Suite struct ReplayModuleTests {
    @Test func moduleLinks() {
        #expect(String(describing: ReplayModule.self) == "ReplayModule")
    }
}
