import Inventory

enum AdmissionControls {
    static let all: [Control] = []
}
