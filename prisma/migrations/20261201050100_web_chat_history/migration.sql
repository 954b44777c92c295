-- CreateTable
CREATE TABLE "WebChatMessage" (
    "id" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "personId" TEXT,
    "seq" BIGSERIAL NOT NULL,
    "from" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "inbox" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebChatMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebChatMessage_externalId_seq_idx" ON "WebChatMessage"("externalId", "seq");

-- AddForeignKey
ALTER TABLE "WebChatMessage" ADD CONSTRAINT "WebChatMessage_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

