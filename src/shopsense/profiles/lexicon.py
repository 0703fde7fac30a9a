"""Word lists for the review sentiment scorer (:mod:`shopsense.profiles.sentiment`), English and Chinese.

Hand-written for shop reviews (product quality, delivery, service). ``STRONG_*`` words weigh 2, the
others 1. ``ZH_NEUTRAL`` lists everyday words that contain a sentiment or negation character but carry
neither (好像 "seems", 快递 "courier", 无线 "wireless"), so the longest-match scan consumes them whole.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_POSITIVE = _words("""
    good great nice love loved loves lovely like liked likes excellent perfect perfectly happy pleased
    satisfied comfortable comfy beautiful pretty cute gorgeous stunning elegant soft sturdy solid durable
    quality recommend recommended worth fast quick quickly helpful friendly fine fantastic wonderful
    awesome amazing impressed impressive enjoy enjoyed favorite favourite flattering fits fit cozy cosy
    smooth reliable bargain affordable classy stylish fabulous superb brilliant correct accurate
    best better glad thank thanks useful easy convenient fresh tasty delicious neat clean adorable
    compliments complimented works worked warm vibrant
""")
EN_STRONG_POSITIVE = _words("excellent perfect love loved fantastic wonderful awesome amazing superb brilliant best fabulous outstanding")
EN_NEGATIVE = _words("""
    bad poor terrible awful horrible worst worse disappointed disappointing disappointment hate hated
    broken broke cheaply flimsy ugly uncomfortable itchy scratchy wrong defective damaged faulty fake
    return returned returning refund useless waste wasted slow late delayed missing rude unhelpful
    problem problems issue issues complaint tight thin sheer
    weird odd strange unflattering boxy frumpy shapeless baggy stiff rough smelly smell stain stained
    ripped torn tear unraveled pilling pilled faded shrank shrunk expensive overpriced cheap-looking
    annoying difficult hard unfortunately sadly fail failed fails dislike mess messy dirty noisy leak
    leaked leaking huge hole holes drowning overwhelmed wanted hoped unwearable cheaper disappoint
""")
EN_STRONG_NEGATIVE = _words("terrible awful horrible worst hate hated useless defective fake waste rude")
EN_NEGATORS = _words("not no never none nothing neither nor without hardly barely cannot cant dont doesnt didnt isnt wasnt arent werent wont wouldnt couldnt shouldnt")
EN_INTENSIFIERS = {
    "very": 1.5, "really": 1.5, "so": 1.4, "extremely": 2.0, "super": 1.5, "absolutely": 1.8, "totally": 1.5,
    "highly": 1.6, "incredibly": 1.8, "truly": 1.4, "too": 1.3, "most": 1.3,
    "quite": 1.1, "slightly": 0.5, "somewhat": 0.6, "little": 0.6, "bit": 0.6, "kinda": 0.6,
}  # fmt: skip
EN_CONTRAST = _words("but however although though yet")

ZH_POSITIVE = _words("""
    好 好评 好看 好用 好吃 好穿 好闻 喜欢 满意 不错 推荐 值得 实惠 划算 便宜 精致 漂亮 美观 舒服 舒适 柔软
    结实 耐用 正品 清晰 流畅 快 迅速 及时 准时 方便 实用 细心 耐心 热情 周到 贴心 完美 优秀 棒 赞 超值
    惊喜 喜爱 开心 高兴 感谢 谢谢 合适 合身 大方 时尚 新鲜 干净 稳定 省心 给力 靠谱 物美价廉 物超所值
    质量好 性价比高 五星 满分 放心 信赖 信任 值 挺好 真好 爱 香 甜 美 帅 酷 厉害 强 顺滑 清爽
    安静 省电 流利 好评如潮 没得说 无可挑剔 回购 再来 支持 愉快 舒心 惊艳 到位 优惠 正宗 高端 上档次
""")
ZH_STRONG_POSITIVE = _words("完美 超值 惊喜 物超所值 物美价廉 无可挑剔 没得说 五星 满分 惊艳 特别好 非常好")
ZH_NEGATIVE = _words("""
    差 差评 坏 烂 破 慢 贵 假货 勉强 一般 垃圾 失望 后悔 退货 退款 投诉 问题 毛病 故障 瑕疵 异味 味道大 难闻
    难看 难用 难吃 难受 粗糙 劣质 次品 残次 磨损 破损 裂 漏 掉色 褪色 起球 变形 缩水 发霉 脏 旧 麻烦
    糟糕 糟 恶心 无语 无聊 郁闷 生气 气愤 愤怒 坑 骗 骗人 欺骗 忽悠 敷衍 态度差 不值 卡顿 死机 发热 发烫 噪音
    吵 闷 扎 痒 偏大 偏小 太大 太小 严重 糊弄 错 错误 缺 少发 漏发 延迟 拖 等了 再也不 不会再
    不推荐 慎买 别买 上当 受骗 不满 遗憾 可惜 一般般 凑合 不行 烂透 太差 很差 不好用
""")
ZH_STRONG_NEGATIVE = _words("垃圾 假货 恶心 骗人 欺骗 上当 受骗 烂透 后悔 差评 慎买 别买 太差 很差 再也不")
ZH_NEUTRAL = _words("""
    好像 好几 好多 只好 正好 刚好 好不容易 最好 好在 快递 不但 不仅 不管 不论 不用 不少 不久 不同 不然 不如
    不断 无论 无线 无需 没想到 没多久 别人 别的 差不多 差点 未来 非要 问一下 坏了吧 一下 还行 还好
""")
ZH_NEGATORS = _words("不 没 没有 无 非 别 未 不是 不太 不够 毫无 并不 并没有 从不 从没 绝不 一点也不 一点都不 不怎么 没那么")
ZH_INTENSIFIERS = {
    "很": 1.4, "非常": 1.8, "特别": 1.7, "超": 1.6, "超级": 1.8, "太": 1.5, "真": 1.3, "真的": 1.3, "挺": 1.2,
    "十分": 1.6, "极": 1.8, "极其": 1.9, "相当": 1.5, "蛮": 1.2, "比较": 1.1, "最": 1.6,
    "有点": 0.6, "有些": 0.6, "稍微": 0.5, "略": 0.5, "一点": 0.6, "还": 0.8,
}  # fmt: skip
ZH_CONTRAST = _words("但 但是 可是 然而 不过 就是 只是")
