import Inventory

enum ExposureControls {
    static let all: [Control] = []
}
