import Inventory

enum WorkloadHygieneControls {
    static let all: [Control] = []
}
