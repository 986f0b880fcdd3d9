import Inventory

enum NodeControls {
    static let all: [Control] = []
}
