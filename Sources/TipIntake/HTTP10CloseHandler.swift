import NIOCore
import NIOHTTP1

/// An HTTP/1.0 request without `Connection: keep-alive` (or any request that is not
/// keep-alive) gets `Connection: close` added to its head, before the version is lost in the
/// conversion to `HTTPRequest`: Hummingbird then ends the connection after the answer instead
/// of holding it open until the header timeout. Installed by `ConnectionGuardHandler`.
final class HTTP10CloseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive,
            !head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" })
        else {
            context.fireChannelRead(data)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
