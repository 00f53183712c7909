import HTTPTypes
import HummingbirdCore
import NIOCore

/// Disconnects slow clients (slowloris, stalled uploads): a connection must deliver complete
/// request headers within `headerTimeout` (from connect, or from the end of the previous
/// response), and while a body is arriving no gap may exceed `bodyIdleTimeout`. A request
/// cut off this way fails inside the submission pipeline, which stores nothing.
///
/// It answers `Expect: 100-continue` at once (Hummingbird does not), and ends the connection after a response marked `Connection: close` (a refused upload):
/// output is half-closed at once so the client reads the answer, and the socket closes shortly
/// after, rather than reading the rest of a body nobody wants.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundIn
    typealias OutboundIn = HTTPConnectionStateHandler.OutboundIn
    typealias OutboundOut = HTTPConnectionStateHandler.OutboundIn

    /// How long a refused client gets to read its answer before the socket closes.
    static let lingerAfterRefusal = TimeAmount.seconds(2)

    private let headerTimeout: TimeAmount
    private let bodyIdleTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var readingRequest = false
    private var responseFinishedEarly = false
    private var closeAfterResponse = false

    init(headerTimeout: TimeAmount, bodyIdleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            readingRequest = true
            responseFinishedEarly = false
            closeAfterResponse = false
            arm(context, bodyIdleTimeout)
            // curl and others wait a second for this before sending a large body.
            if request.headerFields[.expect]?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            arm(context, bodyIdleTimeout)
        case .end:
            readingRequest = false
            if responseFinishedEarly { arm(context, headerTimeout) } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if closeAfterResponse {
                disarm()
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                let channel = context.channel
                written.futureResult.whenComplete { _ in
                    channel.close(mode: .output, promise: nil)
                    channel.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
                }
                return
            }
            if readingRequest { responseFinishedEarly = true } else { arm(context, headerTimeout) }
            context.write(data, promise: promise)
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
